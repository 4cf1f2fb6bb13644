using DeepSeekR1.Actors.Rl.Grpo;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

/// <summary>One sequence, one token: the clipped surrogate by hand.</summary>
public class GrpoLossClippingTests
{
    // loss = -min(ρA, clip(ρ, 1-εlow, 1+εhigh)A); in the unclipped branch d loss / d logπ = -ρA (since dρ/dlogπ = ρ),
    // in the clipped branch the term is constant and the gradient is 0.
    [Theory]
    // A > 0: the upper bound binds.
    [InlineData(1.0, 1.1, 0.2, 0.2, -1.1, -1.1, false, false)] // inside
    [InlineData(1.0, 1.5, 0.2, 0.2, -1.2, 0.0, false, true)] // above 1+ε: clipped
    [InlineData(1.0, 1.25, 0.2, 0.2, -1.2, 0.0, false, true)] // above 1.2: clipped
    [InlineData(1.0, 1.25, 0.2, 0.3, -1.25, -1.25, false, false)] // clip-higher 0.3 lets 1.25 through
    [InlineData(1.0, 0.5, 0.2, 0.2, -0.5, -0.5, false, false)] // below 1-ε: min keeps ρA, still learns
    [InlineData(2.0, 0.9, 0.2, 0.2, -1.8, -1.8, false, false)] // scale with A
    // A < 0: the lower bound binds.
    [InlineData(-1.0, 0.9, 0.2, 0.2, 0.9, 0.9, false, false)] // inside
    [InlineData(-1.0, 0.7, 0.2, 0.2, 0.8, 0.0, true, false)] // below 1-ε: clipped
    [InlineData(-1.0, 0.75, 0.2, 0.2, 0.8, 0.0, true, false)] // below 0.8: clipped
    [InlineData(-1.0, 0.75, 0.3, 0.2, 0.75, 0.75, false, false)] // ε_low 0.3 lets 0.75 through
    [InlineData(-1.0, 1.5, 0.2, 0.2, 1.5, 1.5, false, false)] // above 1+ε: min keeps ρA, still pushed down
    public void One_token_loss_gradient_and_clip_flags(
        double advantage, double ratio, double epsLow, double epsHigh,
        double expectedLoss, double expectedGrad, bool clippedLow, bool clippedHigh)
    {
        using var scope = NewDisposeScope();
        var oldLogp = Math.Log(0.4);
        var logp = LossTensors.Matrix(new[,] { { oldLogp + Math.Log(ratio) } }, requiresGrad: true);
        var old = LossTensors.Matrix(new[,] { { oldLogp } });
        var mask = ones(1, 1);
        var options = new GrpoLossOptions { ClipEpsLow = epsLow, ClipEpsHigh = epsHigh, Beta = 0 };

        var result = GrpoLoss.Compute(logp, old, null, LossTensors.Vector(advantage), mask, options);
        result.Loss.backward();

        Assert.Equal(expectedLoss, LossTensors.Scalar(result.Loss), 10);
        Assert.Equal(expectedLoss, result.PolicyLoss, 10);
        Assert.Equal(0.0, result.KlLoss);
        Assert.Null(result.KlMean);
        Assert.Equal(expectedGrad, LossTensors.Scalar(logp.grad!), 10);
        Assert.Equal(ratio, result.RatioMean, 10);
        Assert.Equal(clippedLow ? 1.0 : 0.0, result.ClipFractionLow);
        Assert.Equal(clippedHigh ? 1.0 : 0.0, result.ClipFractionHigh);
        Assert.Equal(1, result.CompletionTokens);
    }

    [Fact]
    public void Old_logprobs_get_no_gradient_even_when_they_require_it()
    {
        using var scope = NewDisposeScope();
        var logp = LossTensors.Matrix(new[,] { { Math.Log(0.5) } }, requiresGrad: true);
        var old = LossTensors.Matrix(new[,] { { Math.Log(0.45) } }, requiresGrad: true);
        var result = GrpoLoss.Compute(logp, old, null, LossTensors.Vector(1.0), ones(1, 1), new GrpoLossOptions { Beta = 0 });
        result.Loss.backward();
        Assert.Null(old.grad);
        Assert.NotNull(logp.grad);
    }

    [Fact]
    public void Invalid_inputs_are_rejected()
    {
        using var scope = NewDisposeScope();
        var logp = zeros(2, 3, ScalarType.Float64);
        var mask = ones(2, 3);
        var adv = zeros(2, ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(logp, zeros(2, 4), null, adv, mask, new GrpoLossOptions { Beta = 0 }));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(logp, logp, null, zeros(3), mask, new GrpoLossOptions { Beta = 0 }));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(logp, logp, null, adv, mask, new GrpoLossOptions { Beta = 0.1 }));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(
            logp, logp, null, adv, mask, new GrpoLossOptions { Beta = 0, Aggregation = LossAggregation.DrGrpo }));
    }
}
