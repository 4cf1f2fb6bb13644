using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Engine.Tests.Pbm;
using DeepSeekR1.Actors.Engine.Tests.Replay;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Journals written by earlier builds (<see cref="JournalFixture"/>) read with today's code: every stored event and
/// snapshot decodes and keeps its fields, and replay, <c>r1 replay</c> and pbm give the figures the run recorded.
/// The entities' recovery from the same journals is in <see cref="JournalCompatibilityRecoveryTests"/>. A failure here
/// means today's code broke journals users already have: fix the code, never the fixture.
/// </summary>
public sealed class JournalCompatibilityTests
{
    public static TheoryData<string> Fixtures() => JournalFixture.Names();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_event_and_snapshot_decodes_under_its_manifest_and_keeps_every_field_it_holds(string name)
    {
        var fixture = JournalFixture.Named(name);
        using var dir = new TempDir();
        fixture.CopyJournalTo(dir.Path);
        var events = JournalFile.Events(dir.Path);
        var snapshots = JournalFile.Snapshots(dir.Path);
        Assert.Equal((fixture.Events, fixture.Snapshots), (events.Count, snapshots.Count));

        var problems = new List<string>();
        foreach (var row in events.Concat(snapshots))
        {
            string where = $"{row.Table} row {row.PersistenceId} #{row.SequenceNr} ({row.Manifest})";
            if (row.SerializerId != ContractSerializer.Id)
            {
                problems.Add($"{where}: serializer {row.SerializerId}, not the contract serializer {ContractSerializer.Id}");
                continue;
            }
            object decoded;
            try { decoded = ContractCodec.Decode(row.Bytes, row.Manifest); }
            catch (Exception e) { problems.Add($"{where}: {e.GetType().Name}: {e.Message}"); continue; }
            if (ContractCodec.ManifestOf(decoded.GetType()) != row.Manifest)
                problems.Add($"{where}: decoded as {ContractCodec.ManifestOf(decoded.GetType())}");
            problems.AddRange(ContractFields.Lost(row.Bytes, ContractCodec.Encode(decoded)).Select(lost => $"{where}: {lost}"));
        }
        Assert.True(problems.Count == 0, $"today's code does not read {fixture.Name} as it was written:\n{string.Join('\n', problems)}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Replay_gives_the_figures_the_run_recorded_with_every_step_applied_once(string name)
    {
        var fixture = JournalFixture.Named(name);
        using var dir = new TempDir();
        fixture.CopyJournalTo(dir.Path);
        var projection = new RunProjection();
        await using (var reader = JournalReader.Open(dir.Path))
            await foreach (var e in reader.Current(fixture.RunId)) projection.Apply(e);

        Assert.Equal(fixture.Events, projection.Events);   // the run's tag query returns every event of the journal
        Assert.Equal(RunStates.Finished, projection.EndState);
        Assert.Empty(projection.StepsAppliedTwice);
        Assert.Empty(projection.Restarts);
        var started = Assert.IsType<RunStarted>(projection.Started);
        Assert.Equal((fixture.Seed, fixture.Steps, fixture.PromptsPerStep, fixture.GroupSize, fixture.Task),
            (started.Seed, started.Steps, started.PromptsPerStep, started.GroupSize, started.Task));

        var recorded = fixture.Recorded();
        var steps = projection.Steps();
        Assert.Equal(Enumerable.Range(1, fixture.Steps), recorded.Select(r => r.Step));
        Assert.Equal(recorded.Select(r => r.Step - 1L), steps.Select(s => s.Step));
        foreach (var (step, logged) in steps.Zip(recorded))
        {
            var mismatches = logged.Mismatches(step.Metrics);
            Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
            Assert.Equal(step.Step, step.PolicyVersion);
            // The analyses come from the journaled completions, the metrics from the learner's update on the same
            // outputs: they agree only if every rollout decoded with its reward, correctness and tokens.
            Assert.Equal(fixture.PromptsPerStep * fixture.GroupSize, step.Analysis.Completions);
            Assert.Equal(step.Metrics.RewardMean, step.Analysis.RewardMean, 1e-12);
            Assert.Equal(step.Metrics.Accuracy, step.Analysis.Accuracy, 1e-12);
            Assert.Equal(step.Metrics.CompletionLengthMean, step.Analysis.ResponseTokensMean, 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task The_r1_replay_command_writes_the_figures_the_run_recorded(string name)
    {
        var fixture = JournalFixture.Named(name);
        using var dir = new TempDir();
        fixture.CopyJournalTo(dir.Path);
        string outDir = Path.Combine(dir.Path, "replay");
        using var r1 = R1Process.Start(dir.Path, "replay", "--run", fixture.RunId, "--data-dir", dir.Path, "--out", outDir);
        int exit = await r1.WaitForExit(TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, $"r1 replay exited with {exit}:\n{string.Join('\n', r1.Lines)}");
        Assert.Contains(r1.Lines, l => l.Contains($"{fixture.Steps} steps (finished)", StringComparison.Ordinal));
        Assert.Contains($"State: finished; {fixture.Steps} steps applied", File.ReadAllText(Path.Combine(outDir, "report.md")));

        // metrics.csv writes 10 significant digits; its columns are the learner's fields under CSV names.
        var columns = new Dictionary<string, string>
        {
            ["reward_mean"] = "RewardMean", ["reward_std"] = "RewardStd", ["accuracy"] = "Accuracy", ["kl"] = "KlMean",
            ["loss"] = "Loss", ["grad_norm"] = "GradNorm", ["entropy"] = "Entropy", ["response_tokens_mean"] = "CompletionLengthMean",
            ["response_tokens_max"] = "CompletionLengthMax", ["frac_zero_std_groups"] = "FracZeroStdGroups",
            ["learning_rate"] = "LearningRate", ["step_seconds"] = "StepSeconds",
        };
        var rows = ReplayCommandTests.ReadCsv(Path.Combine(outDir, "metrics.csv"));
        var recorded = fixture.Recorded();
        Assert.Equal(recorded.Select(r => (double?)r.Step), rows.Select(r => r["step"]));
        foreach (var (row, logged) in rows.Zip(recorded))
            foreach (var (csv, field) in columns)
            {
                double expected = logged.Metrics[field] ?? 0, actual = row[csv] ?? 0;
                Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1e-12, Math.Abs(expected)),
                    $"step {logged.Step} {csv}: recorded {expected:R}, metrics.csv {actual:R}");
            }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Pbm_run_status_and_metrics_read_the_run_as_finished_with_its_recorded_figures(string name)
    {
        var fixture = JournalFixture.Named(name);
        using var dir = new TempDir();
        fixture.CopyJournalTo(dir.Path);
        // A node that hosts a run of its own and never starts it: the fixture's run is one the node only knows from
        // the journal, like a finished run whose node is gone.
        await using var node = await PbmNode.StartAsync(dir.Path, PbmNode.Run(dir.Path, steps: 1));

        var status = await node.Row("run", "status", "--id", fixture.RunId);
        Assert.Equal((RunStates.Finished, fixture.Steps, fixture.Steps, fixture.Steps, 0, fixture.FinalCheckpoint),
            ((string?)status["state"], (int)status["steps_done"]!, (int)status["steps"]!, (int)status["policy_version"]!,
             (int)status["restarts"]!, (string?)status["checkpoint"]));
        Assert.Null(status["step_in_flight"]);

        var listed = (await node.Json("run", "list"))["rows"]!.AsArray().Single(r => (string?)r!["run"] == fixture.RunId)!;
        Assert.Equal((RunStates.Finished, fixture.Steps), ((string?)listed["state"], (int)listed["steps_done"]!));

        var metrics = (await node.Json("run", "metrics", "--id", fixture.RunId))["rows"]!.AsArray();
        var recorded = fixture.Recorded();
        Assert.Equal(recorded.Select(r => r.Step), metrics.Select(m => (int)m!["step"]!));
        foreach (var (row, logged) in metrics.Zip(recorded))
            foreach (var (column, field) in new[] { ("reward", "RewardMean"), ("accuracy", "Accuracy"), ("kl", "KlMean"), ("loss", "Loss"), ("grad_norm", "GradNorm") })
                Assert.True(logged.Metrics[field] == Number(row!, column), $"step {logged.Step} {column}: recorded {logged.Metrics[field]:R}, pbm {Number(row!, column):R}");
    }

    private static double? Number(JsonNode row, string column) => row[column] is { } value ? (double)value : null;
}
