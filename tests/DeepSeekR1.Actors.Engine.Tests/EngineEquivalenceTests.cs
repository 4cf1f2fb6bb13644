using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests;

public class EngineEquivalenceTests
{
    [Fact]
    public async Task The_actor_engine_gives_the_inline_loops_rewards_and_losses_for_the_same_seed()
    {
        List<StepMetrics> inline;
        using (var policy = ColdStart.Policy())
        using (var trainer = new InlineGrpoTrainer(policy, TinyRuns.Tokenizer, new ArithmeticTask(), TinyRuns.Grpo, TinyRuns.Sampling, TinyRuns.Seed))
            inline = trainer.Run().Select(r => r.Metrics).ToList();

        using var dir = new TempDir();
        var reported = new List<(long Step, StepMetrics Metrics)>();
        var host = await EngineHost.StartAsync(TinyRuns.Run(dir.Path), dir.Path, TinyRuns.Overrides,
            new EngineObserver { OnStep = (step, m) => { lock (reported) reported.Add((step, m)); } });
        EngineOutcome outcome;
        IReadOnlyList<object> tagged;
        try
        {
            outcome = await host.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);
            tagged = await JournalProbe.EventsByTag(host.System, "tiny");
        }
        finally { await host.DisposeAsync(); }

        // Every fact of the run is tagged with its id, so replay reads the run with one query.
        Assert.Single(tagged.OfType<RunStarted>());
        Assert.Equal([0L, 1L], tagged.OfType<StepApplied>().Select(a => a.Step));
        Assert.Equal(4, tagged.OfType<GroupFinished>().Count());
        Assert.Equal(12, tagged.OfType<RolloutRecorded>().Count());
        // The last step's acknowledgements may still be on their way to the journal when the run reports completion.
        Assert.InRange(tagged.OfType<GroupAcknowledged>().Count(), 2, 4);
        Assert.Single(tagged.OfType<RunFinished>());

        Assert.Equal(2, outcome.Steps);
        Assert.Equal(new long[] { 0, 1 }, reported.Select(r => r.Step).Order());
        Assert.Equal(2, outcome.Metrics.Count);
        for (int s = 0; s < 2; s++)
        {
            var (a, b) = (inline[s], outcome.Metrics[s]);
            Assert.Equal(6, b.Outputs);
            Assert.Equal(a.RewardMean, b.RewardMean, 1e-4);
            Assert.Equal(a.Accuracy, b.Accuracy, 1e-4);
            Assert.Equal(a.CompletionLengthMean, b.CompletionLengthMean, 1e-4);
            Assert.Equal(a.Loss, b.Loss, 1e-4);
            Assert.Equal(a.GradNorm, b.GradNorm, 1e-4);
            Assert.Equal(a.KlMean ?? 0, b.KlMean ?? 0, 1e-4);
        }
        Assert.Contains(inline, m => m.GradNorm > 1e-6 && m.RewardStd > 0);   // updates that change the weights
        CheckpointManifest.Verify(outcome.Checkpoint);
        Assert.True(File.Exists(Path.Combine(outcome.Checkpoint, "optimizer.bin")));
        // Version 1 was only the samplers' policy for step 2: once version 2 exists it is deleted; 0 and 2 stay.
        var kept = Directory.GetDirectories(Path.Combine(dir.Path, "runs", "tiny", "checkpoints")).Select(Path.GetFileName).Order();
        Assert.Equal(["step-000000", "step-000002"], kept);
    }
}
