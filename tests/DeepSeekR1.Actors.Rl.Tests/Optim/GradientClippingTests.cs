using DeepSeekR1.Actors.Rl.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Optim;

public class GradientClippingTests
{
    // Gradients [3, 4] and [12] have global norm √(9 + 16 + 144) = 13; a third parameter has no gradient.
    private static (Parameter A, Parameter B, Parameter Unused) WithGradients()
    {
        var a = new Parameter(zeros(2, ScalarType.Float64));
        var b = new Parameter(zeros(1, ScalarType.Float64));
        var unused = new Parameter(zeros(1, ScalarType.Float64));
        var loss = (a * tensor(new[] { 3.0, 4.0 })).sum() + (b * 12.0).sum();
        loss.backward();
        return (a, b, unused);
    }

    private static double[] Grad(Parameter p) => p.grad!.data<double>().ToArray();

    [Fact]
    public void Scales_all_gradients_by_one_factor_and_returns_the_norm_before_clipping()
    {
        using var scope = NewDisposeScope();
        var (a, b, unused) = WithGradients();
        var norm = GradientClipping.ClipByGlobalNorm([a, b, unused], maxNorm: 6.5);
        Assert.Equal(13.0, norm, 10);
        Assert.Equal(1.5, Grad(a)[0], 6);
        Assert.Equal(2.0, Grad(a)[1], 6);
        Assert.Equal(6.0, Grad(b)[0], 6);
        Assert.Null(unused.grad);
    }

    [Fact]
    public void Leaves_gradients_below_the_limit_alone()
    {
        using var scope = NewDisposeScope();
        var (a, b, _) = WithGradients();
        var norm = GradientClipping.ClipByGlobalNorm([a, b], maxNorm: 100);
        Assert.Equal(13.0, norm, 10);
        Assert.Equal([3.0, 4.0], Grad(a));
        Assert.Equal([12.0], Grad(b));
    }

    [Fact]
    public void Rejects_a_non_positive_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([], 0));
    }
}
