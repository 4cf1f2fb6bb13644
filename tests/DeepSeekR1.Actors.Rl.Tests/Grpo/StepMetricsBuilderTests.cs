using DeepSeekR1.Actors.Rl.Grpo;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

public class StepMetricsBuilderTests
{
    private static GrpoLossResult MiniBatch(double policy, double klLoss, double? kl, double clipLow, double clipHigh, double ratio, long tokens) =>
        new(tensor(policy + klLoss), policy, klLoss, kl, clipLow, clipHigh, ratio, tokens);

    [Fact]
    public void Rollout_side_is_aggregated_over_all_completions()
    {
        var metrics = new StepMetricsBuilder()
            .AddGroup([1.0, 0.0], [true, false], [10, 20])
            .AddGroup([0.5, 0.5], [false, false], [30, 40])
            .Build(learningRate: 3e-6, stepSeconds: 12.5);

        Assert.Equal(2, metrics.Groups);
        Assert.Equal(4, metrics.Outputs);
        Assert.Equal(0.5, metrics.RewardMean, 12);
        // Deviations from 0.5: 0.5, -0.5, 0, 0 => variance 0.125.
        Assert.Equal(Math.Sqrt(0.125), metrics.RewardStd, 12);
        Assert.Equal(0.25, metrics.Accuracy);
        Assert.Equal(0.5, metrics.FracZeroStdGroups);
        Assert.Equal(25.0, metrics.CompletionLengthMean);
        Assert.Equal(40, metrics.CompletionLengthMax);
        Assert.Equal(3e-6, metrics.LearningRate);
        Assert.Equal(12.5, metrics.StepSeconds);
        Assert.Equal(0, metrics.MiniBatches);
        Assert.Null(metrics.KlMean);
        Assert.Null(metrics.Entropy);
    }

    [Fact]
    public void General_prompts_scored_by_reward_models_stay_out_of_the_accuracy_but_not_the_rewards()
    {
        var metrics = new StepMetricsBuilder()
            .AddGroup([1.0, 0.0], [true, false], [10, 20])
            .AddGroup([0.8, 0.2], [false, false], [30, 40], graded: false)
            .Build(learningRate: 3e-6, stepSeconds: 1);
        Assert.Equal(0.5, metrics.Accuracy);         // one of the two graded completions, not one of four
        Assert.Equal(0.5, metrics.RewardMean, 12);   // every completion's reward counts
        Assert.Equal(0.0, new StepMetricsBuilder().AddGroup([0.8], [false], [5], graded: false).Build(1e-6, 1).Accuracy);
    }

    [Fact]
    public void Token_diagnostics_are_token_weighted_and_update_values_are_averaged()
    {
        using var scope = NewDisposeScope();
        var metrics = new StepMetricsBuilder()
            .AddGroup([1.0, 0.0], [true, false], [10, 20])
            .AddMiniBatch(MiniBatch(1.0, 0.5, kl: 0.2, clipLow: 0.1, clipHigh: 0.0, ratio: 1.0, tokens: 30), gradNorm: 2.0, entropy: 1.0)
            .AddMiniBatch(MiniBatch(-1.0, 0.25, kl: 0.4, clipLow: 0.0, clipHigh: 0.3, ratio: 1.2, tokens: 10), gradNorm: 4.0, entropy: 2.0)
            .Build(learningRate: 1e-6, stepSeconds: 1);

        Assert.Equal(2, metrics.MiniBatches);
        Assert.Equal((0.2 * 30 + 0.4 * 10) / 40, metrics.KlMean!.Value, 12);
        Assert.Equal(0.1 * 30 / 40, metrics.ClipFractionLow, 12);
        Assert.Equal(0.3 * 10 / 40, metrics.ClipFractionHigh, 12);
        Assert.Equal((1.0 * 30 + 1.2 * 10) / 40, metrics.RatioMean, 12);
        Assert.Equal((1.0 * 30 + 2.0 * 10) / 40, metrics.Entropy!.Value, 12);
        Assert.Equal((1.5 + -0.75) / 2, metrics.Loss, 12);
        Assert.Equal(3.0, metrics.GradNorm, 12);
    }

    [Fact]
    public void Misuse_is_rejected()
    {
        Assert.Throws<InvalidOperationException>(() => new StepMetricsBuilder().Build(1e-6, 1));
        Assert.Throws<ArgumentException>(() => new StepMetricsBuilder().AddGroup([1.0, 0.0], [true], [3, 4]));
    }

    [Fact]
    public void Expert_load_is_the_busiest_expert_over_the_mean_averaged_over_layers_and_null_for_a_dense_step()
    {
        var dense = new StepMetricsBuilder().AddGroup([1.0, 0.0], [true, false], [3, 4]).Build(1e-6, 1);
        Assert.Null(dense.ExpertLoadMaxOverMean);

        var moe = new StepMetricsBuilder().AddGroup([1.0, 0.0], [true, false], [3, 4])
            .AddExpertLoad([[4, 4, 4, 4], [8, 0, 4, 4]])   // balanced (1.0) and one expert at twice the mean (2.0)
            .AddExpertLoad([[0, 0, 0, 0]])                  // a layer no token reached says nothing
            .Build(1e-6, 1);
        Assert.Equal(1.5, moe.ExpertLoadMaxOverMean!.Value, 12);
    }
}
