using DeepSeekR1.Actors.Rl.Sft;

namespace DeepSeekR1.Actors.Rl.Tests.Sft;

public class SftTrainerTests
{
    private static readonly SftExample[] Data =
    [
        TinyPolicy.Example([3, 4], [10, 11, 12, 2]),
        TinyPolicy.Example([5, 6], [13, 14, 15, 2]),
        TinyPolicy.Example([7, 8, 9], [16, 17, 2]),
        TinyPolicy.Example([4, 3], [18, 19, 20, 21, 2]),
    ];

    [Fact]
    public void A_few_steps_on_a_tiny_fixed_dataset_lower_the_loss()
    {
        using var model = TinyPolicy.Create();
        var settings = SftSettings.Defaults with { LearningRate = 1e-2, BatchSize = 2, Steps = 40, WarmupSteps = 2, WeightDecay = 0, LogEvery = 10 };
        var reports = new List<SftProgress>();
        var result = SftTrainer.Train(model, Data, settings, reports.Add);

        Assert.Equal(40, result.Steps);
        Assert.Equal(0, result.SkippedSteps);
        Assert.Equal([10L, 20, 30, 40], reports.Select(r => r.Step));
        Assert.True(result.FinalLoss < result.FirstLoss * 0.3, $"loss {result.FirstLoss} -> {result.FinalLoss}");
        Assert.True(reports[^1].Loss < reports[0].Loss);
        Assert.All(reports, r => Assert.True(r.TokensPerSecond > 0));
        Assert.Equal(result.Tokens, reports[^1].Tokens);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        double FinalLoss(long seed)
        {
            using var model = TinyPolicy.Create();
            return SftTrainer.Train(model, Data, SftSettings.Defaults with { LearningRate = 5e-3, BatchSize = 2, Steps = 6, Seed = seed }).FinalLoss;
        }
        Assert.Equal(FinalLoss(1), FinalLoss(1));
    }

    [Fact]
    public void Batch_order_is_a_seeded_permutation_per_epoch()
    {
        var examples = Enumerable.Range(0, 10).Select(i => TinyPolicy.Example([i + 3], [2])).ToArray();
        var a = new ShuffledBatches(examples, 4, seed: 5);
        var b = new ShuffledBatches(examples, 4, seed: 5);
        var c = new ShuffledBatches(examples, 4, seed: 6);
        Assert.Equal(3, a.BatchesPerEpoch);

        int[] Epoch(ShuffledBatches s, int epoch) =>
            Enumerable.Range(epoch * 3, 3).SelectMany(step => s.BatchAt(step)).Select(e => e.PromptIds[0] - 3).ToArray();
        Assert.Equal(Epoch(a, 0), Epoch(b, 0));
        Assert.Equal(Enumerable.Range(0, 10), Epoch(a, 0).Order());
        Assert.Equal(Enumerable.Range(0, 10), Epoch(a, 1).Order());
        Assert.NotEqual(Epoch(a, 0), Epoch(a, 1));
        Assert.NotEqual(Epoch(a, 0), Epoch(c, 0));
        Assert.Equal(2, a.BatchAt(2).Count);   // the last batch of an epoch is short
    }

    [Fact]
    public void Steps_default_to_whole_epochs()
    {
        Assert.Equal(6, SftTrainer.TotalSteps(SftSettings.Defaults with { BatchSize = 4, Epochs = 2 }, 10));
        Assert.Equal(7, SftTrainer.TotalSteps(SftSettings.Defaults with { BatchSize = 4, Epochs = 2, Steps = 7 }, 10));
    }
}
