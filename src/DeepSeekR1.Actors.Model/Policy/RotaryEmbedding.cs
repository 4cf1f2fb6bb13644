using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Rotary position embeddings (RoPE, Su et al. 2021) in the "rotate half" layout that Hugging Face Llama/Qwen
/// checkpoints are trained with: channel i is paired with channel i + d/2, and the pair at position p is rotated by
/// the angle p * theta^(-2i/d). TorchSharp 0.107 has no RoPE, hence this class.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor cos;
    private readonly Tensor sin;

    /// <summary>Precomputes the cos/sin tables for positions 0..maxPositions-1.</summary>
    public RotaryEmbedding(int headDim, int maxPositions, double theta, Device device)
    {
        if (headDim % 2 != 0) throw new ArgumentException("rotary embeddings need an even head dimension", nameof(headDim));
        using var scope = NewDisposeScope();
        // Frequencies in float64 so that long contexts do not lose angle precision, then stored as float32.
        var inv = pow(theta, -arange(0, headDim, 2, ScalarType.Float64) / headDim);
        var angles = outer(arange(maxPositions, ScalarType.Float64), inv);
        var full = cat([angles, angles], dim: -1);
        cos = full.cos().to_type(ScalarType.Float32).to(device).MoveToOuterDisposeScope();
        sin = full.sin().to_type(ScalarType.Float32).to(device).MoveToOuterDisposeScope();
        MaxPositions = maxPositions;
    }

    /// <summary>How many positions the tables cover.</summary>
    public int MaxPositions { get; }

    /// <summary>
    /// The cos and sin tables for <paramref name="positions"/> [batch, seq], shaped [batch, 1, seq, headDim] to broadcast
    /// over heads. Gathered once per forward pass and shared by every layer.
    /// </summary>
    public (Tensor Cos, Tensor Sin) Tables(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var flat = positions.flatten();
        var c = cos.index_select(0, flat).view(positions.shape[0], 1, positions.shape[1], -1).to_type(dtype);
        var s = sin.index_select(0, flat).view(positions.shape[0], 1, positions.shape[1], -1).to_type(dtype);
        return (c.MoveToOuterDisposeScope(), s.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Rotates <paramref name="x"/> of shape [batch, heads, seq, headDim] by the angles of
    /// <paramref name="positions"/> [batch, seq] (per-row positions, so left-padded rows start at 0 at their first real token).
    /// </summary>
    public Tensor Apply(Tensor x, Tensor positions)
    {
        using var scope = NewDisposeScope();
        var (c, s) = Tables(positions, x.dtype);
        return Rotate(x, c, s).MoveToOuterDisposeScope();
    }

    /// <summary>Rotates <paramref name="x"/> with tables from <see cref="Tables"/>.</summary>
    public static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        return (x * cos + RotateHalf(x) * sin).MoveToOuterDisposeScope();
    }

    /// <summary>(x1, x2) -> (-x2, x1) over the two halves of the last dimension.</summary>
    public static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        using var scope = NewDisposeScope();
        var first = x.narrow(-1, 0, half);
        var second = x.narrow(-1, half, half);
        return cat([second.neg(), first], dim: -1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
    }
}
