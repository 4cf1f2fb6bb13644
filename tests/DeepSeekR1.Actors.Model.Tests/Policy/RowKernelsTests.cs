using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

// The C# passes against the libtorch ops they stand in for, on sizes with and without a vector tail.
public class RowKernelsTests
{
    private static void AssertClose(Tensor expected, Tensor actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.shape, actual.shape);
        float diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"max |difference| {diff}");
    }

    [Theory]
    [InlineData(256)]
    [InlineData(37)]
    public void RmsNorm_matches_the_libtorch_ops(int size)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var x = randn([5, 2, size], generator: generator) * 3;
        var weight = randn([size], generator: generator);
        var expected = x * x.square().mean([-1L], keepdim: true).add(1e-6).rsqrt() * weight;
        AssertClose(expected, RowKernels.RmsNorm(x, weight, 1e-6));
    }

    [Theory]
    [InlineData(704)]
    [InlineData(13)]
    public void Silu_times_up_matches_the_libtorch_ops(int inner)
    {
        using var scope = NewDisposeScope();
        // Large magnitudes too: exp(-g) overflows for very negative gates, and silu must still go to zero.
        var gateUp = randn([7, 1, 2 * inner], generator: new Generator(4)) * 30;
        var expected = nn.functional.silu(gateUp.narrow(-1, 0, inner)) * gateUp.narrow(-1, inner, inner);
        AssertClose(expected, RowKernels.SiluTimesUp(gateUp), 1e-4f);
        Assert.False(RowKernels.SiluTimesUp(gateUp).isnan().any().item<bool>());
    }

    [Theory]
    [InlineData(64, 1)]
    [InlineData(12, 3)]
    public void Rotate_matches_the_libtorch_ops_on_a_strided_view(int dim, int seq)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        // Queries and keys as a narrow of the fused projection: heads strided past the values.
        var fused = randn([3, seq, 8, dim], generator: generator);
        var x = fused.narrow(2, 0, 6);
        using var rope = new RotaryEmbedding(dim, 32, 10000, CPU);
        var positions = tensor(new long[] { 4, 9, 17, 0, 1, 2, 30, 31, 5 }.Take(3 * seq).ToArray(), [3, seq]);
        var (cos, sin) = rope.Tables(positions, ScalarType.Float32);
        var expected = RotaryEmbedding.Rotate(x, cos.transpose(1, 2), sin.transpose(1, 2));
        AssertClose(expected, RowKernels.Rotate(x, cos.transpose(1, 2), sin.transpose(1, 2)));
    }

    [Fact]
    public void Leaves_tracked_tensors_and_other_dtypes_to_libtorch()
    {
        using var scope = NewDisposeScope();
        var tracked = randn(4, 8).requires_grad_();
        Assert.False(RowKernels.Applies(tracked.to_type(ScalarType.BFloat16)));
        Assert.Equal(get_num_threads() == 1, RowKernels.Applies(tracked.detach()));
        Assert.False(RowKernels.Applies(tracked));
        using (no_grad()) Assert.Equal(get_num_threads() == 1, RowKernels.Applies(tracked));
    }
}
