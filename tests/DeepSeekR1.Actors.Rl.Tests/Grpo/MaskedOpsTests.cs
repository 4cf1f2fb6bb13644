using DeepSeekR1.Actors.Rl.Grpo;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

public class MaskedOpsTests
{
    [Fact]
    public void Means_ignore_masked_positions_even_non_finite_ones()
    {
        using var scope = NewDisposeScope();
        var x = LossTensors.Matrix(new[,] { { 1.0, 2.0, 3.0 }, { 4.0, double.NaN, double.PositiveInfinity } });
        var mask = tensor(new float[] { 1, 1, 0, 1, 0, 0 }, [2, 3]);

        Assert.Equal(7.0, LossTensors.Scalar(MaskedOps.MaskedSum(x, mask)));
        Assert.Equal(7.0 / 3, LossTensors.Scalar(MaskedOps.MaskedMean(x, mask)), 14);
        Assert.Equal([1.5, 4.0], LossTensors.Flat(MaskedOps.MaskedMean(x, mask, dim: 1)));
    }

    [Fact]
    public void Empty_selection_gives_zero()
    {
        using var scope = NewDisposeScope();
        var x = LossTensors.Matrix(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 } });
        var mask = tensor(new[] { true, true, false, false }, [2, 2]);
        Assert.Equal([1.5, 0.0], LossTensors.Flat(MaskedOps.MaskedMean(x, mask, dim: 1)));
        Assert.Equal(0.0, LossTensors.Scalar(MaskedOps.MaskedMean(x, zeros(2, 2))));
    }
}
