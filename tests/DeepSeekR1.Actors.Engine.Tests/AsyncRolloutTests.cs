using Akka.Configuration;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Training;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Asynchronous rollouts (<c>r1.async.max-staleness</c>): later steps are sampled while the learner trains, never more
/// than the bound ahead, and the ratio's pi_old is the policy that sampled each output.
/// </summary>
[Collection(TorchThreadCounts.Name)]
public class AsyncRolloutTests
{
    private const int Steps = 5;

    // A learner that takes at least 400 ms per update on a thread of its own: the samplers, on the second tensor
    // thread, finish the next step's groups long before it is done, and would run further ahead if the run let them.
    private static Config SlowLearner => ConfigurationFactory.ParseString("""
        r1.engine.tensor-threads = 2
        r1.engine.update-delay = 400ms
        """).WithFallback(TinyRuns.Overrides);

    [Fact]
    public async Task A_slow_learner_never_trains_on_samples_older_than_the_bound_and_pi_old_is_the_sampling_policy()
    {
        using var dir = new TempDir();
        // Every version's checkpoint stays, so the test can score each output under the version that sampled it.
        var run = TinyRuns.Run(dir.Path) with
        {
            Grpo = TinyRuns.Grpo with { Steps = Steps, CheckpointEvery = 1 },
            Async = new AsyncSettings { MaxStaleness = 1 },
        };
        var host = await EngineHost.StartAsync(run, dir.Path, SlowLearner);
        EngineOutcome outcome;
        try { outcome = await host.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token); }
        finally { await host.DisposeAsync(); }
        Assert.Equal("finished", outcome.State);

        var journal = JournalFile.Read(dir.Path);
        var applied = journal.Select(r => r.Event).OfType<StepApplied>().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(s => (long)s), applied.Select(a => a.Step));

        // The run starts step s only once s - 1 steps are applied (s - bound), and with the newest version there is.
        int appliedSoFar = 0;
        foreach (var e in journal.Select(r => r.Event))
        {
            if (e is StepApplied) appliedSoFar++;
            if (e is not StepStarted started) continue;
            Assert.True(started.Step <= appliedSoFar + 1, $"step {started.Step + 1} started with only {appliedSoFar} steps applied");
            Assert.Equal(appliedSoFar, started.PolicyVersion);
        }

        // Every output lags its step by 0 or 1 versions; the slow learner makes some lag 1, and the learner's own record agrees.
        var groups = journal.Where(r => r.Event is GroupStarted).ToDictionary(r => r.PersistenceId, r => (GroupStarted)r.Event);
        var outputs = journal.Where(r => r.Event is RolloutRecorded)
            .Select(r => (Group: groups[r.PersistenceId], ((RolloutRecorded)r.Event).Rollout)).ToArray();
        Assert.Equal(Steps * TinyRuns.Grpo.PromptsPerStep * TinyRuns.Grpo.GroupSize, outputs.Length);
        Assert.All(outputs, o => Assert.InRange(o.Group.Step - o.Rollout.PolicyVersion, 0, 1));
        Assert.Contains(outputs, o => o.Group.Step - o.Rollout.PolicyVersion == 1);
        var staleness = journal.Select(r => r.Event).OfType<StalenessRecorded>().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(s => (long)s), staleness.Select(s => s.Step));
        foreach (var s in staleness)
        {
            var lags = outputs.Where(o => o.Group.Step == s.Step).Select(o => o.Group.Step - o.Rollout.PolicyVersion).ToArray();
            Assert.Equal((1, 0, lags.Max()), (s.MaxStaleness, s.Dropped, s.Max));
            Assert.Equal(lags.Average(), s.Mean, 1e-12);
        }

        // pi_old: each output's journaled log-probs are those of the version that sampled it, not of the learner's newer one.
        var stale = outputs.Where(o => o.Group.Step - o.Rollout.PolicyVersion == 1).Take(3).ToArray();
        foreach (var (group, rollout) in stale)
        {
            double behaviour = Difference(run.Layout.Checkpoint(rollout.PolicyVersion), group, rollout);
            Assert.True(behaviour < 1e-4, $"the log-probs of {group.Step}/{rollout.Sample} differ from version {rollout.PolicyVersion}'s by {behaviour}");
        }
    }

    [Fact]
    public async Task Staleness_zero_journals_no_staleness_and_trains_each_step_on_its_own_version()
    {
        using var dir = new TempDir();
        var host = await EngineHost.StartAsync(TinyRuns.Run(dir.Path), dir.Path, TinyRuns.Overrides);
        try { await host.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token); }
        finally { await host.DisposeAsync(); }
        var journal = JournalFile.Read(dir.Path);
        Assert.DoesNotContain(journal, r => r.Event is StalenessRecorded);
        var groups = journal.Where(r => r.Event is GroupStarted).ToDictionary(r => r.PersistenceId, r => (GroupStarted)r.Event);
        Assert.All(journal.Where(r => r.Event is RolloutRecorded),
            r => Assert.Equal(groups[r.PersistenceId].Step, ((RolloutRecorded)r.Event).Rollout.PolicyVersion));
        Assert.All(journal.Select(r => r.Event).OfType<StepStarted>(), s => Assert.Equal(s.Step, s.PolicyVersion));
    }

    // The largest difference between an output's journaled log-probs and those the checkpoint gives its tokens.
    private static double Difference(string checkpoint, GroupStarted group, RolloutData rollout)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var policy = PolicyCheckpoint.Load(checkpoint, CPU);
        policy.eval();
        var batch = TrainingBatch.Pack([new TrainingRow(group.PromptIds, rollout.ToRollout(), 0)], policy.Config.PadTokenId, CPU);
        var scores = TokenLogProbs.Compute(policy, batch.Ids, batch.Valid, batch.Scored, TinyRuns.Sampling.Temperature);
        return (scores.LogProbs - batch.OldLogProbs).masked_select(batch.Scored).abs().max().item<float>();
    }
}
