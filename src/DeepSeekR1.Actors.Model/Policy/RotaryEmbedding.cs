using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Rotary position embeddings (RoPE, Su et al. 2021) in the "rotate half" layout that Hugging Face Llama/Qwen
/// checkpoints are trained with: channel i is paired with channel i + d/2, and the pair at position p is rotated by
/// the angle p * theta^(-2i/d). TorchSharp 0.107 has no RoPE, hence this class.
/// The sin table is stored with its first half negated, so that a rotation is <c>x * cos + roll(x, d/2) * sin</c>:
/// the sign of "rotate half" folded into the table once instead of negating half of every query and key.
/// <para>
/// yarn multiplies both tables by its attention factor (transformers' <c>attention_scaling</c>). Dynamic NTK has no
/// single table: up to max_position_embeddings it is plain RoPE; a forward pass reaching further gets tables computed
/// for it alone, with the frequencies of its own length (its furthest position + 1 over the batch), as transformers
/// recomputes <c>inv_freq</c> when the sequence grows. With a KV cache, keys already cached keep the rotation they
/// were cached with (the cache holds rotated keys, here as in transformers), so past max_position_embeddings a cached
/// decode differs from a prefill of the same tokens exactly as it does in transformers.
/// </para>
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor cos;
    private readonly Tensor sin;
    private readonly ModelConfig? dynamic;

    /// <summary>Precomputes the cos/sin tables for positions 0..maxPositions-1 (plain RoPE with base <paramref name="theta"/>).</summary>
    public RotaryEmbedding(int headDim, int maxPositions, double theta, Device device)
        : this(headDim, maxPositions, theta, null, 1.0, device)
    {
    }

    /// <summary>
    /// The tables of <paramref name="config"/>'s rotary embedding, scaled as its rope type says (<see cref="RopeScaling"/>),
    /// for positions up to its <see cref="ModelConfig.ContextLength"/> (dynamic: up to max_position_embeddings, beyond
    /// that computed per forward pass).
    /// </summary>
    public RotaryEmbedding(ModelConfig config, Device device)
        : this(config.RopeHeadDim, config.RopeType == "dynamic" ? config.MaxPositionEmbeddings : config.ContextLength, config.RopeTheta,
            config.RopeType is "default" or "dynamic" ? null : RopeScaling.InverseFrequencies(config), RopeScaling.YarnAttentionFactor(config), device)
    {
        if (config.RopeType == "dynamic") dynamic = config;
        MaxPositions = config.ContextLength;
    }

    private RotaryEmbedding(int headDim, int tablePositions, double theta, double[]? scaled, double attentionFactor, Device device)
    {
        if (headDim % 2 != 0) throw new ArgumentException("rotary embeddings need an even head dimension", nameof(headDim));
        using var scope = NewDisposeScope();
        // Frequencies in float64 so that long contexts do not lose angle precision, then stored as float32. Plain RoPE
        // keeps libtorch's own pow (the tables every checkpoint so far was trained with, to the last bit).
        var inv = scaled is null ? pow(theta, -arange(0, headDim, 2, ScalarType.Float64) / headDim) : tensor(scaled, ScalarType.Float64);
        (cos, sin) = Build(arange(tablePositions, ScalarType.Float64), inv, attentionFactor);
        cos = cos.to(device).MoveToOuterDisposeScope();
        sin = sin.to(device).MoveToOuterDisposeScope();
        MaxPositions = tablePositions;
    }

    /// <summary>How many positions the embedding serves.</summary>
    public int MaxPositions { get; }

    /// <summary>float32 cos and half-negated sin rows [..., d] for float64 <paramref name="positions"/> [...] and frequencies [d/2].</summary>
    private static (Tensor Cos, Tensor Sin) Build(Tensor positions, Tensor inv, double attentionFactor)
    {
        using var scope = NewDisposeScope();
        long half = inv.shape[0];
        var angles = positions.unsqueeze(-1) * inv;                                    // [..., d/2]
        var full = cat([angles, angles], dim: -1);
        var sign = cat([-ones(half, ScalarType.Float64, inv.device), ones(half, ScalarType.Float64, inv.device)]);
        var c = full.cos();
        var s = full.sin() * sign;
        // Only yarn scales; plain tables stay exactly as they were computed before scaling existed.
        if (attentionFactor != 1.0)
        {
            c = c * attentionFactor;
            s = s * attentionFactor;
        }
        return (c.to_type(ScalarType.Float32).MoveToOuterDisposeScope(), s.to_type(ScalarType.Float32).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The cos and (half-negated) sin tables for <paramref name="positions"/> [batch, seq], shaped [batch, 1, seq, headDim] to broadcast
    /// over heads. Gathered once per forward pass and shared by every layer.
    /// </summary>
    public (Tensor Cos, Tensor Sin) Tables(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        Tensor c, s;
        // Only dynamic NTK needs the furthest position on the host (a device sync); the others gather from their tables.
        long furthest = dynamic is null ? 0 : positions.max().item<long>();
        if (dynamic is not null && furthest >= MaxPositions)
            throw new ArgumentException($"position {furthest} is beyond the rotary embedding's {MaxPositions} positions");
        if (dynamic is not null && furthest + 1 > dynamic.MaxPositionEmbeddings)
        {
            // Dynamic NTK past max_position_embeddings: this pass's own frequencies, from its length.
            var inv = tensor(RopeScaling.DynamicInverseFrequencies(dynamic, furthest + 1), ScalarType.Float64, positions.device);
            (c, s) = Build(positions.to_type(ScalarType.Float64), inv, 1.0);
            c = c.unsqueeze(1);
            s = s.unsqueeze(1);
        }
        else
        {
            var flat = positions.flatten();
            c = cos.index_select(0, flat).view(positions.shape[0], 1, positions.shape[1], -1);
            s = sin.index_select(0, flat).view(positions.shape[0], 1, positions.shape[1], -1);
        }
        return (c.to_type(dtype).MoveToOuterDisposeScope(), s.to_type(dtype).MoveToOuterDisposeScope());
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
