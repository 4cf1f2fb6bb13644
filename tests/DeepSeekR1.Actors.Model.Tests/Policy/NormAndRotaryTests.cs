using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

public class NormAndRotaryTests
{
    [Fact]
    public void RmsNorm_matches_hand_computation()
    {
        using var scope = NewDisposeScope();
        using var norm = new RmsNorm(2, eps: 0);
        using (no_grad()) norm.Weight.copy_(tensor(new[] { 1f, 2f }));
        var y = norm.forward(tensor(new[] { 3f, 4f }).view(1, 2)).data<float>().ToArray();
        // mean of squares = (9 + 16) / 2 = 12.5
        Assert.Equal(3 / MathF.Sqrt(12.5f), y[0], 5);
        Assert.Equal(2 * 4 / MathF.Sqrt(12.5f), y[1], 5);
    }

    [Fact]
    public void Rotary_rotates_channel_pairs_by_position_times_frequency()
    {
        using var scope = NewDisposeScope();
        using var rope = new RotaryEmbedding(headDim: 4, maxPositions: 8, theta: 10000, CPU);
        // x = [1, 0, 0, 1] at position 3: pairs (0,2) turn by 3 rad, (1,3) by 3 * 10000^-0.5 = 0.03 rad.
        var x = tensor(new[] { 1f, 0f, 0f, 1f }).view(1, 1, 1, 4);
        var y = rope.Apply(x, tensor(new long[] { 3 }).view(1, 1)).data<float>().ToArray();
        double a = 3, b = 0.03;
        Assert.Equal(Math.Cos(a), y[0], 5);            // x0 cos a - x2 sin a
        Assert.Equal(-Math.Sin(b), y[1], 5);           // x1 cos b - x3 sin b
        Assert.Equal(Math.Sin(a), y[2], 5);            // x2 cos a + x0 sin a
        Assert.Equal(Math.Cos(b), y[3], 5);            // x3 cos b + x1 sin b
    }

    [Fact]
    public void Rotary_at_position_zero_is_identity()
    {
        using var scope = NewDisposeScope();
        using var rope = new RotaryEmbedding(8, 4, 10000, CPU);
        var x = randn(2, 3, 1, 8);
        var y = rope.Apply(x, zeros([2, 1], ScalarType.Int64));
        Assert.True(y.allclose(x));
    }
}
