using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Engine.Entities;
using System.Security.Cryptography;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Checkpoints;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// The real <c>r1 train</c> killed with SIGKILL at several points and restarted with the same command until it
/// finishes; then the journal must hold each step once, each group's result once, and verifiable checkpoints.
/// </summary>
public class KillNineTests
{
    // Enough that every restart still has steps left: a kill lands a little after its marker, and a step of this tiny
    // run takes a fraction of a second, so with four steps the run could finish before the third kill.
    private const int Steps = 8;

    // The GRPO settings of Command below that decide which checkpoints stay.
    private static readonly GrpoSettings Retention = GrpoSettings.Defaults with { Steps = Steps, ReferenceRefreshEvery = 2, CheckpointEvery = 0 };

    private static string[] Command(string dataDir, string engine = "actor", string runId = "crashy", params string[] extra) =>
    [
        "train", "--engine", engine, "--run-id", runId, "--data-dir", dataDir, "--steps", Steps.ToString(),
        // A cold-started tiny policy, so that rewards differ and every update changes the weights.
        "--set", $"r1.train.init={ColdStart.Checkpoint}", "--set", "r1.train.eval-limit=0", "--set", "r1.torch-threads=1",
        "--set", "r1.grpo.prompts-per-step=2", "--set", "r1.grpo.group-size=3", "--set", "r1.grpo.learning-rate=0.001",
        "--set", "r1.grpo.format-weight=1.0",
        // A strong KL term and a reference refreshed every 2 steps: a resumed learner must restore the right reference.
        "--set", "r1.grpo.beta=0.1", "--set", "r1.grpo.reference-refresh-every=2",
        "--set", "r1.sampling.max-new-tokens=12",
        "--set", "r1.engine.markers=on", "--set", "r1.engine.group-resend-interval=1s", "--set", "r1.engine.batch-linger=20ms",
        .. extra,
    ];

    [Fact]
    public async Task A_run_killed_during_sampling_update_and_checkpoint_write_resumes_and_journals_each_fact_once()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        var timeout = TimeSpan.FromSeconds(45);

        // Each crash point is the marker the engine prints just before that work starts, in whatever step the restarted
        // process reaches it. The kill lands a little after the marker (the output is read asynchronously), so a kill
        // may fall after the work it aimed at; every restart still has steps left, so each kind of point is hit.
        string[] killAt = ["r1-engine: sampling", "r1-engine: update", "r1-engine: checkpoint", "r1-engine: update"];
        var kills = new List<string>();
        foreach (var marker in killAt)
        {
            using var r1 = R1Process.Start(dir.Path, Command(data));
            bool reached = await r1.WaitForLine(marker, timeout);
            Assert.True(reached || r1.Lines.Any(l => l.Contains("finished")), $"never reached '{marker}':\n{string.Join('\n', r1.Lines)}");
            if (!reached) continue;
            r1.Kill9();
            kills.Add(marker);
        }
        Assert.True(kills.Count >= 3, $"only {kills.Count} kills landed: {string.Join(", ", kills)}");

        using (var last = R1Process.Start(dir.Path, Command(data)))
        {
            int exit = await last.WaitForExit(TimeSpan.FromSeconds(90));
            Assert.True(exit == 0, string.Join('\n', last.Lines));
            Assert.Contains(last.Lines, l => l.Contains("(resuming)"));
            Assert.Contains(last.Lines, l => l.Contains($"finished {Steps} steps"));
        }

        var journal = JournalFile.Read(data);
        var applied = journal.Where(r => r.PersistenceId == "learner-crashy").Select(r => r.Event).OfType<StepApplied>().ToArray();
        AssertEachFactOnce(journal, retentionStaleness: 0);

        // TensorBoard followed the journal through every kill: each step's replayed figures and histograms were written
        // (a resumed session writes the earlier steps again, with the same values), none left out.
        string actorEvents = string.Concat(Directory.GetFiles(Path.Combine(data, "runs", "crashy", "tensorboard"), "events.out.tfevents.*")
            .Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.True(System.Text.RegularExpressions.Regex.Matches(actorEvents, "replay/language_mixing").Count >= Steps);
        Assert.True(System.Text.RegularExpressions.Regex.Matches(actorEvents, "train/advantages").Count >= Steps);
        Assert.True(System.Text.RegularExpressions.Regex.Matches(actorEvents, "train/response_tokens").Count >= Steps);

        // The crashes changed nothing: the same run done in one go by the inline loop computes the same steps
        // (so the learner resumed with the right weights, optimizer state and reference each time).
        using (var inline = R1Process.Start(dir.Path, Command(Path.Combine(dir.Path, "inline"), engine: "inline", runId: "smooth")))
            Assert.True(await inline.WaitForExit(TimeSpan.FromSeconds(60)) == 0, string.Join('\n', inline.Lines));
        var smooth = File.ReadAllLines(Path.Combine(dir.Path, "inline", "runs", "smooth", "metrics.jsonl"))
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("metrics"))
            .ToArray();
        Assert.Equal(Steps, smooth.Length);
        // The same steps as TensorBoard scalars (an event file whose records carry the tags), as r1.train.tensorboard is on.
        var events = Directory.GetFiles(Path.Combine(dir.Path, "inline", "runs", "smooth", "tensorboard"), "events.out.tfevents.*");
        string eventBytes = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Assert.Single(events)));
        Assert.Equal(Steps, System.Text.RegularExpressions.Regex.Matches(eventBytes, "train/reward_mean").Count);
        // The inline engine writes the replayed figures and histograms too, once per step (no resume here).
        Assert.Equal(Steps, System.Text.RegularExpressions.Regex.Matches(eventBytes, "replay/word_wait").Count);
        Assert.Equal(Steps, System.Text.RegularExpressions.Regex.Matches(eventBytes, "train/advantages").Count);
        Assert.Contains(applied, a => a.Metrics.GradNorm > 1e-6);   // updates that change the weights
        for (int s = 0; s < Steps; s++)
        {
            Assert.Equal(smooth[s].GetProperty("RewardMean").GetDouble(), applied[s].Metrics.RewardMean, 1e-4);
            Assert.Equal(smooth[s].GetProperty("Loss").GetDouble(), applied[s].Metrics.Loss, 1e-4);
            Assert.Equal(smooth[s].GetProperty("GradNorm").GetDouble(), applied[s].Metrics.GradNorm, 1e-4);
            Assert.Equal(smooth[s].GetProperty("KlMean").GetDouble(), applied[s].Metrics.KlMean ?? double.NaN, 1e-6);
        }
    }

    [Fact]
    public async Task An_asynchronous_run_killed_repeatedly_applies_each_step_once_and_never_trains_past_the_staleness_bound()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        // Rollouts one step ahead of the learner, on a tensor thread of their own: kills land with two steps in flight.
        string[] async = ["--set", "r1.async.max-staleness=1", "--set", "r1.engine.tensor-threads=2"];
        string[] killAt = ["r1-engine: update", "r1-engine: sampling", "r1-engine: checkpoint", "r1-engine: update"];
        int kills = 0;
        foreach (var marker in killAt)
        {
            using var r1 = R1Process.Start(dir.Path, Command(data, extra: async));
            bool reached = await r1.WaitForLine(marker, TimeSpan.FromSeconds(45));
            Assert.True(reached || r1.Lines.Any(l => l.Contains("finished")), $"never reached '{marker}':\n{string.Join('\n', r1.Lines)}");
            if (!reached) continue;
            r1.Kill9();
            kills++;
        }
        Assert.True(kills >= 3, $"only {kills} kills landed");
        using (var last = R1Process.Start(dir.Path, Command(data, extra: async)))
        {
            int exit = await last.WaitForExit(TimeSpan.FromSeconds(90));
            Assert.True(exit == 0, string.Join('\n', last.Lines));
            Assert.Contains(last.Lines, l => l.Contains($"finished {Steps} steps"));
        }

        var journal = JournalFile.Read(data);
        AssertEachFactOnce(journal, retentionStaleness: 1);
        // Every trained output lagged its step by at most one version, and the learner journaled each step's lag once.
        var groups = journal.Where(r => r.Event is GroupStarted).ToDictionary(r => r.PersistenceId, r => (GroupStarted)r.Event);
        Assert.All(journal.Where(r => r.Event is RolloutRecorded),
            r => Assert.InRange(groups[r.PersistenceId].Step - ((RolloutRecorded)r.Event).Rollout.PolicyVersion, 0, 1));
        var staleness = journal.Select(r => r.Event).OfType<StalenessRecorded>().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), staleness.Select(s => s.Step));
        Assert.All(staleness, s => Assert.Equal((1, 0), (s.MaxStaleness, s.Dropped)));
    }

    // Each step applied once with a whole checkpoint (or pruned), each group finished once, each output journaled once,
    // each step completed once by the run, which started and finished once.
    private static void AssertEachFactOnce(IReadOnlyList<JournalFile.Row> journal, int retentionStaleness)
    {
        var applied = journal.Where(r => r.PersistenceId == "learner-crashy").Select(r => r.Event).OfType<StepApplied>().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), applied.Select(a => a.Step));
        // Checkpoints nothing needs any more are pruned, crash or no crash; every one that stays is whole.
        foreach (var a in applied.Where(a => !CheckpointRetention.Keeps(a.Step + 1, Steps, Retention, retentionStaleness)))
            Assert.False(Directory.Exists(a.Checkpoint), $"{a.Checkpoint} should have been pruned");
        foreach (var a in applied.Where(a => CheckpointRetention.Keeps(a.Step + 1, Steps, Retention, retentionStaleness)))
        {
            CheckpointManifest.Verify(a.Checkpoint);
            string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(a.Checkpoint, CheckpointManifest.FileName))));
            Assert.Equal(a.ManifestSha256, sha);
        }

        var finished = journal.Select(r => r.Event).OfType<GroupFinished>().ToArray();
        Assert.Equal(Steps * 2, finished.Length);
        Assert.Equal(finished.Length, finished.Select(f => f.GroupId).Distinct().Count());
        var recorded = journal.Select(r => r.Event).OfType<RolloutRecorded>().Select(r => (r.GroupId, r.Rollout.Sample)).ToArray();
        Assert.Equal(Steps * 2 * 3, recorded.Length);
        Assert.Equal(recorded.Length, recorded.Distinct().Count());

        var run = journal.Where(r => r.PersistenceId == "run-crashy").Select(r => r.Event).ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), run.OfType<StepCompleted>().Select(s => s.Step));
        // A step's metrics are journaled once, by the learner; the run's record of the step carries none.
        Assert.All(run.OfType<StepCompleted>(), c => Assert.Null(c.Metrics));
        Assert.Single(run.OfType<RunFinished>());
        Assert.Single(run.OfType<RunStarted>());
    }
}
