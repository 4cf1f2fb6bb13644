using DeepSeekR1.Actors.Rl.Grpo;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

/// <summary>The k3 KL term: KL = exp(ref - logπ) - (ref - logπ) - 1, gradient wrt logπ = 1 - exp(ref - logπ).</summary>
public class GrpoLossKlTests
{
    private static GrpoLossResult KlOnly(double policyProb, double refProb, double beta, Tensor logp)
    {
        var old = LossTensors.Matrix(new[,] { { Math.Log(policyProb) } });
        var reference = LossTensors.Matrix(new[,] { { Math.Log(refProb) } });
        // Advantage 0 switches the policy term off, leaving the KL term alone.
        return GrpoLoss.Compute(logp, old, reference, LossTensors.Vector(0.0), ones(1, 1), new GrpoLossOptions { Beta = beta });
    }

    [Fact]
    public void Kl_is_exactly_zero_when_policy_equals_reference()
    {
        using var scope = NewDisposeScope();
        var logp = LossTensors.Matrix(new[,] { { Math.Log(0.37) } }, requiresGrad: true);
        var result = KlOnly(0.37, 0.37, beta: 0.5, logp);
        result.Loss.backward();
        Assert.Equal(0.0, result.KlMean);
        Assert.Equal(0.0, LossTensors.Scalar(result.Loss));
        Assert.Equal(0.0, LossTensors.Scalar(logp.grad!));
    }

    [Fact]
    public void Policy_above_reference_has_positive_kl_and_is_pushed_down()
    {
        using var scope = NewDisposeScope();
        // π = 0.5, π_ref = 0.25: ref - logπ = ln 0.5, KL = 0.5 - ln 0.5 - 1 = ln 2 - 0.5; gradient β(1 - 0.5).
        var logp = LossTensors.Matrix(new[,] { { Math.Log(0.5) } }, requiresGrad: true);
        var result = KlOnly(0.5, 0.25, beta: 0.1, logp);
        result.Loss.backward();
        Assert.Equal(Math.Log(2) - 0.5, result.KlMean!.Value, 12);
        Assert.Equal(0.1 * (Math.Log(2) - 0.5), result.KlLoss, 12);
        Assert.Equal(0.1 * (Math.Log(2) - 0.5), LossTensors.Scalar(result.Loss), 12);
        Assert.Equal(0.05, LossTensors.Scalar(logp.grad!), 12);
    }

    [Fact]
    public void Policy_below_reference_has_positive_kl_and_is_pulled_up()
    {
        using var scope = NewDisposeScope();
        // π = 0.4, π_ref = 0.8: ref - logπ = ln 2, KL = 2 - ln 2 - 1 = 1 - ln 2; gradient β(1 - 2) = -β.
        var logp = LossTensors.Matrix(new[,] { { Math.Log(0.4) } }, requiresGrad: true);
        var result = KlOnly(0.4, 0.8, beta: 0.1, logp);
        result.Loss.backward();
        Assert.Equal(1 - Math.Log(2), result.KlMean!.Value, 12);
        Assert.Equal(-0.1, LossTensors.Scalar(logp.grad!), 12);
    }

    [Fact]
    public void Zero_beta_reports_kl_but_adds_nothing_to_the_loss()
    {
        using var scope = NewDisposeScope();
        var logp = LossTensors.Matrix(new[,] { { Math.Log(0.5) } }, requiresGrad: true);
        var result = KlOnly(0.5, 0.25, beta: 0.0, logp);
        Assert.Equal(Math.Log(2) - 0.5, result.KlMean!.Value, 12);
        Assert.Equal(0.0, result.KlLoss);
        Assert.Equal(0.0, LossTensors.Scalar(result.Loss));
    }
}
