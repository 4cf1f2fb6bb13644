using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Rotary position embeddings (RoPE, Su et al. 2021) in the "rotate half" layout that Hugging Face Llama/Qwen
/// checkpoints are trained with: channel i is paired with channel i + d/2, and the pair at position p is rotated by
/// the angle p * theta^(-2i/d). TorchSharp 0.107 has no RoPE, hence this class.
/// The sin table is stored with its first half negated, so that a rotation is <c>x * cos + roll(x, d/2) * sin</c>:
/// the sign of "rotate half" folded into the table once instead of negating half of every query and key.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor cos;
    private readonly Tensor sin;

    /// <summary>Precomputes the cos/sin tables for positions 0..maxPositions-1 (plain RoPE with base <paramref name="theta"/>).</summary>
    public RotaryEmbedding(int headDim, int maxPositions, double theta, Device device)
        : this(headDim, maxPositions, theta, null, device)
    {
    }

    /// <summary>The tables of <paramref name="config"/>'s rotary embedding, scaled as its rope type says (<see cref="RopeScaling"/>).</summary>
    public RotaryEmbedding(ModelConfig config, Device device)
        : this(config.RopeHeadDim, config.MaxPositionEmbeddings, config.RopeTheta,
            config.RopeType == "default" ? null : RopeScaling.InverseFrequencies(config), device)
    {
    }

    private RotaryEmbedding(int headDim, int maxPositions, double theta, double[]? scaled, Device device)
    {
        if (headDim % 2 != 0) throw new ArgumentException("rotary embeddings need an even head dimension", nameof(headDim));
        using var scope = NewDisposeScope();
        // Frequencies in float64 so that long contexts do not lose angle precision, then stored as float32. Plain RoPE
        // keeps libtorch's own pow (the tables every checkpoint so far was trained with, to the last bit).
        var inv = scaled is null ? pow(theta, -arange(0, headDim, 2, ScalarType.Float64) / headDim) : tensor(scaled, ScalarType.Float64);
        var angles = outer(arange(maxPositions, ScalarType.Float64), inv);
        var full = cat([angles, angles], dim: -1);
        var sign = cat([-ones(headDim / 2, ScalarType.Float64), ones(headDim / 2, ScalarType.Float64)]);
        cos = full.cos().to_type(ScalarType.Float32).to(device).MoveToOuterDisposeScope();
        sin = (full.sin() * sign).to_type(ScalarType.Float32).to(device).MoveToOuterDisposeScope();
        MaxPositions = maxPositions;
    }

    /// <summary>How many positions the tables cover.</summary>
    public int MaxPositions { get; }

    /// <summary>
    /// The cos and (half-negated) sin tables for <paramref name="positions"/> [batch, seq], shaped [batch, 1, seq, headDim] to broadcast
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

    /// <summary>
    /// Rotates <paramref name="x"/> [..., headDim] with tables from <see cref="Tables"/>: each channel pair (i, i + d/2)
    /// becomes (x_i cos - x_{i+d/2} sin, x_{i+d/2} cos + x_i sin); the minus sign lives in the stored sin table.
    /// </summary>
    public static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var swapped = x.roll(x.shape[^1] / 2, -1);   // (x1, x2) -> (x2, x1)
        return (x * cos).addcmul_(swapped, sin, 1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
    }
}
