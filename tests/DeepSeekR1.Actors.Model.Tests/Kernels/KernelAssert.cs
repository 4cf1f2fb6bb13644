using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Kernels;

internal static class KernelAssert
{
    /// <summary>max |actual - expected| / max |expected|: the error against the scale of the reference.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(expected.shape, actual.shape);
        if (expected.numel() == 0) return 0;
        var e = expected.to_type(ScalarType.Float64);
        double diff = (actual.to_type(ScalarType.Float64) - e).abs().max().item<double>();
        double scale = e.abs().max().item<double>();
        return scale == 0 ? diff : diff / scale;
    }

    public static void Close(Tensor actual, Tensor expected, double tolerance, string what)
    {
        double error = RelativeError(actual, expected);
        Assert.True(error <= tolerance, $"{what}: relative error {error:E3} > {tolerance:E1}");
    }
}
