using DeepSeekR1.Actors.Rl.Grpo;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

/// <summary>The three reductions on a ragged batch, and the gradient each gives on the first (ratio 1) mini-batch.</summary>
public class GrpoLossAggregationTests
{
    // Two sequences: the first has 3 completion tokens with ratios 1.0, 1.1, 0.9 and A = +1; the second has
    // 1 token with ratio 1.05 and A = -2, then two padding slots filled with garbage (log-prob 1000, so
    // exp(1000) = inf if padding were not neutralised). All ratios are inside the 0.2 clip range, so the
    // per-token losses are -ρA: [-1.0, -1.1, -0.9] and [2.1].
    private const double Pad = 1000;

    private static GrpoLossResult Ragged(LossAggregation aggregation, out Tensor logp, double beta = 0)
    {
        var old = LossTensors.Matrix(new[,] { { -1.0, -2.0, -0.5 }, { -1.5, 0.0, 0.0 } });
        logp = LossTensors.Matrix(
            new[,]
            {
                { -1.0, -2.0 + Math.Log(1.1), -0.5 + Math.Log(0.9) },
                { -1.5 + Math.Log(1.05), Pad, -Pad },
            },
            requiresGrad: true);
        var reference = LossTensors.Matrix(new[,] { { -1.0, -2.0 + Math.Log(1.1), -0.5 + Math.Log(0.9) }, { -1.5 + Math.Log(1.05), -Pad, Pad } });
        var mask = tensor(new float[] { 1, 1, 1, 1, 0, 0 }, [2, 3]);
        var options = new GrpoLossOptions { Beta = beta, Aggregation = aggregation, MaxCompletionLength = 5 };
        return GrpoLoss.Compute(logp, old, reference, LossTensors.Vector(1.0, -2.0), mask, options);
    }

    [Theory]
    [InlineData(LossAggregation.SeqMeanTokenMean, 0.55)] // ((-1 - 1.1 - 0.9)/3 + 2.1/1) / 2
    [InlineData(LossAggregation.TokenMean, -0.225)] // (-3.0 + 2.1) / 4 tokens
    [InlineData(LossAggregation.DrGrpo, -0.09)] // (-3.0 + 2.1) / (2 sequences × L = 5)
    public void Aggregation_on_a_ragged_mask(LossAggregation aggregation, double expected)
    {
        using var scope = NewDisposeScope();
        var result = Ragged(aggregation, out var logp);
        result.Loss.backward();

        Assert.Equal(expected, LossTensors.Scalar(result.Loss), 10);
        Assert.Equal(4, result.CompletionTokens);
        Assert.Equal((1.0 + 1.1 + 0.9 + 1.05) / 4, result.RatioMean, 10);
        var grad = LossTensors.Flat(logp.grad!);
        Assert.All(grad, g => Assert.True(double.IsFinite(g)));
        Assert.Equal(0.0, grad[4]);
        Assert.Equal(0.0, grad[5]);
    }

    [Fact]
    public void Garbage_in_padding_does_not_reach_the_kl_term()
    {
        using var scope = NewDisposeScope();
        // Reference equals the policy on every real token; its padding holds ±1000.
        var result = Ragged(LossAggregation.TokenMean, out var logp, beta: 0.5);
        result.Loss.backward();
        Assert.Equal(0.0, result.KlMean!.Value, 12);
        Assert.Equal(-0.225, LossTensors.Scalar(result.Loss), 10);
        Assert.All(LossTensors.Flat(logp.grad!), g => Assert.True(double.IsFinite(g)));
    }

    [Theory]
    [InlineData(LossAggregation.SeqMeanTokenMean)]
    [InlineData(LossAggregation.TokenMean)]
    [InlineData(LossAggregation.DrGrpo)]
    public void First_minibatch_gradient_is_minus_advantage_over_the_normaliser(LossAggregation aggregation)
    {
        using var scope = NewDisposeScope();
        // G = 3 outputs of lengths 4, 2, 1 (7 tokens); with logπ = logπ_old every ratio is 1, nothing is clipped,
        // and d loss / d logπ_it = -A_i × (weight of token t): 1/(|o_i| G), 1/7, or 1/(G L) with L = 6.
        int[] lengths = [4, 2, 1];
        double[] advantages = [1.5, -0.5, -1.0];
        const int G = 3, T = 4, L = 6;
        var logp = randn(G, T, ScalarType.Float64).requires_grad_(true);
        var old = logp.detach().clone();
        var maskValues = new float[G * T];
        for (var i = 0; i < G; i++)
        {
            for (var t = 0; t < lengths[i]; t++)
            {
                maskValues[i * T + t] = 1;
            }
        }

        var options = new GrpoLossOptions { Beta = 0, Aggregation = aggregation, MaxCompletionLength = L };
        var result = GrpoLoss.Compute(logp, old, null, LossTensors.Vector(advantages), tensor(maskValues, [G, T]), options);
        result.Loss.backward();

        var grad = LossTensors.Flat(logp.grad!);
        for (var i = 0; i < G; i++)
        {
            var weight = aggregation switch
            {
                LossAggregation.SeqMeanTokenMean => 1.0 / lengths[i] / G,
                LossAggregation.TokenMean => 1.0 / lengths.Sum(),
                _ => 1.0 / (G * L),
            };
            for (var t = 0; t < T; t++)
            {
                var expected = t < lengths[i] ? -advantages[i] * weight : 0.0;
                Assert.Equal(expected, grad[i * T + t], 12);
            }
        }
    }

    [Fact]
    public void Bool_and_float_masks_agree()
    {
        using var scope = NewDisposeScope();
        var logp = LossTensors.Matrix(new[,] { { -1.0, -0.3 }, { -0.2, -4.0 } });
        var old = LossTensors.Matrix(new[,] { { -1.1, -0.2 }, { -0.25, -3.0 } });
        var adv = LossTensors.Vector(0.7, -1.3);
        var options = new GrpoLossOptions { Beta = 0 };
        var viaFloat = GrpoLoss.Compute(logp, old, null, adv, tensor(new float[] { 1, 1, 1, 0 }, [2, 2]), options);
        var viaBool = GrpoLoss.Compute(logp, old, null, adv, tensor(new[] { true, true, true, false }, [2, 2]), options);
        Assert.Equal(viaFloat.PolicyLoss, viaBool.PolicyLoss, 14);
        Assert.NotEqual(0.0, viaFloat.PolicyLoss);
    }
}
