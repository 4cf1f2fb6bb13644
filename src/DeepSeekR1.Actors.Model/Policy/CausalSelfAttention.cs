using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Multi-head causal self-attention with grouped-query heads (several query heads share one key/value head),
/// rotary positions, and an optional KV cache. Attention over several queries is libtorch's scaled_dot_product_attention;
/// a decoding step's single query takes the path described at AttendOneQuery.
/// Parameter names match Hugging Face Llama/Qwen2: q_proj, k_proj, v_proj, o_proj.
/// </summary>
public sealed class CausalSelfAttention : nn.Module, ISelfAttention
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly int heads;
    private readonly int kvHeads;
    private readonly int headDim;
    private FusedLinear? qkv;

    /// <summary>Creates the projections for <paramref name="config"/>.</summary>
    public CausalSelfAttention(ModelConfig config) : base(nameof(CausalSelfAttention))
    {
        heads = config.NumHeads;
        kvHeads = config.NumKvHeads;
        headDim = config.HeadDim;
        q_proj = nn.Linear(config.HiddenSize, heads * headDim, hasBias: config.AttentionBias);
        k_proj = nn.Linear(config.HiddenSize, kvHeads * headDim, hasBias: config.AttentionBias);
        v_proj = nn.Linear(config.HiddenSize, kvHeads * headDim, hasBias: config.AttentionBias);
        o_proj = nn.Linear(heads * headDim, config.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>
    /// Attends over <paramref name="x"/> [batch, seq, hidden] whose positions' rotary tables are <paramref name="rope"/>
    /// (from <see cref="RotaryEmbedding.Tables"/>). With a <paramref name="cache"/>, the new keys/values are
    /// appended to layer <paramref name="layer"/>'s slot and the queries attend to everything cached.
    /// <paramref name="mask"/> is from <see cref="AttentionMask.Build"/>; null means plain causal (or no mask for one query).
    /// </summary>
    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? mask, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], seq = x.shape[1];
        var (q, k, v) = qkv is null ? Project(x, rope) : ProjectFused(x, rope);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);
        if (seq == 1) return o_proj.forward(AttendOneQuery(q, k, v, mask)).MoveToOuterDisposeScope();
        if (cache is not null && seq <= FewQueries) return o_proj.forward(AttendFewQueries(q, k, v, mask)).MoveToOuterDisposeScope();
        // A cache kept in another dtype than the model's (bfloat16 for rollouts) is read at the queries' precision.
        if (k.dtype != q.dtype) (k, v) = (k.to_type(q.dtype), v.to_type(q.dtype));
        if (kvHeads != heads)
        {
            // Grouped-query attention: query head h reads key/value head h / (heads / kvHeads).
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }
        bool causal = mask is null && seq > 1;
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask, is_casual: causal);
        var merged = attended.transpose(1, 2).reshape(batch, seq, heads * headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>Queries, keys and values [batch, heads, seq, headDim], rotated, from the three separate projections.</summary>
    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x, (Tensor Cos, Tensor Sin) rope)
    {
        long batch = x.shape[0], seq = x.shape[1];
        var q = q_proj.forward(x).view(batch, seq, heads, headDim).transpose(1, 2);
        var k = k_proj.forward(x).view(batch, seq, kvHeads, headDim).transpose(1, 2);
        var v = v_proj.forward(x).view(batch, seq, kvHeads, headDim).transpose(1, 2);
        return (RotaryEmbedding.Rotate(q, rope.Cos, rope.Sin), RotaryEmbedding.Rotate(k, rope.Cos, rope.Sin), v);
    }

    /// <summary>
    /// The same from one fused matmul, with the query and key heads rotated together.
    /// </summary>
    private (Tensor Q, Tensor K, Tensor V) ProjectFused(Tensor x, (Tensor Cos, Tensor Sin) rope)
    {
        long batch = x.shape[0], seq = x.shape[1];
        // Output heads in order: queries, keys, values. Queries and keys are adjacent, so one rotation covers both.
        var fused = qkv!.Forward(x).view(batch, seq, heads + 2 * kvHeads, headDim);
        // Tables are [batch, 1, seq, headDim]; here heads are the third axis, so they broadcast as [batch, seq, 1, headDim].
        var (cos, sin) = (rope.Cos.transpose(1, 2), rope.Sin.transpose(1, 2));
        var rotated = RowKernels.Applies(fused, cos)
            ? RowKernels.Rotate(fused.narrow(2, 0, heads + kvHeads), cos, sin)
            : RotaryEmbedding.Rotate(fused.narrow(2, 0, heads + kvHeads), cos, sin);
        var q = rotated.narrow(2, 0, heads).transpose(1, 2);
        var k = rotated.narrow(2, heads, kvHeads).transpose(1, 2);
        var v = fused.narrow(2, heads + kvHeads, kvHeads).transpose(1, 2);
        return (q, k, v);
    }

    /// <summary>Runs q/k/v as one matmul until <see cref="Unfuse"/> (a snapshot of the current weights).</summary>
    public void Fuse()
    {
        qkv?.Dispose();
        qkv = new FusedLinear(q_proj, k_proj, v_proj);
    }

    /// <summary>Back to the separate projections (and their live parameters).</summary>
    public void Unfuse()
    {
        qkv?.Dispose();
        qkv = null;
    }

    /// <summary>Most new queries after a cache that <see cref="AttendFewQueries"/> serves.</summary>
    private const int FewQueries = 4;

    /// <summary>
    /// Attention for a few new queries per row with a cache (speculative decoding's verifying pass: the token just
    /// chosen and the draft). Each query attends as a decoding step would, through <see cref="AttendOneQuery"/> over the
    /// keys up to its own position (with its row of <paramref name="mask"/>, when there is one): causal attention with
    /// the one-query path's kernels, instead of a masked fused attention that costs several decoding steps at this size
    /// (docs/generation.md). Returns [batch, queries, heads * headDim].
    /// </summary>
    private Tensor AttendFewQueries(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        long queries = q.shape[2], keys = k.shape[2];
        var attended = new Tensor[queries];
        for (int i = 0; i < queries; i++)
        {
            long visible = keys - queries + 1 + i;   // the cached keys and the new ones up to query i
            attended[i] = AttendOneQuery(q.narrow(2, i, 1), k.narrow(2, 0, visible), v.narrow(2, 0, visible),
                mask?.narrow(2, i, 1).narrow(3, 0, visible));
        }
        return cat(attended, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attention for one new query per row (a decoding step). In a single-threaded process, a float32 CPU cache with
    /// nothing to differentiate goes to <see cref="DecodeAttention"/>, one pass in C# with no libtorch op. Otherwise this is
    /// two batched matmuls around a softmax: q [batch, heads,
    /// 1, headDim] against the cached k, v [batch, kvHeads, keys, headDim]; returns [batch, 1, heads * headDim].
    /// Each group's query heads become the rows of one small matmul against their shared key/value head, so the cache
    /// (strided views of the preallocated buffers) is read once and never copied. Measured against libtorch's fused
    /// attention on this shape (docs/generation.md) it is as fast or a little faster, and it serves multi-head,
    /// grouped and padded batches alike. Either way the step is bound by reading the cache, not by arithmetic.
    /// </summary>
    private Tensor AttendOneQuery(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        // With one libtorch thread the C# pass is as fast as or faster than the matmuls below; with an OpenMP team the
        // matmuls split over the cores and measured faster on the RL shapes (docs/generation.md).
        if (get_num_threads() == 1 && DecodeAttention.Applies(q, k, v, mask))
            return DecodeAttention.Attend(q, k, v, mask, heads, kvHeads, headDim).MoveToOuterDisposeScope();
        if (k.dtype != q.dtype) (k, v) = (k.to_type(q.dtype), v.to_type(q.dtype));
        long batch = q.shape[0], keys = k.shape[2];
        int group = heads / kvHeads;
        var grouped = (q * (1.0 / Math.Sqrt(headDim))).reshape(batch * kvHeads, group, headDim);
        var scores = grouped.bmm(k.reshape(batch * kvHeads, keys, headDim).transpose(1, 2));   // [batch * kvHeads, group, keys]
        if (mask is not null)
            scores = scores.view(batch, kvHeads, group, keys).masked_fill(mask.logical_not(), double.NegativeInfinity)
                .view(batch * kvHeads, group, keys);
        // A bfloat16 model's softmax runs in float32 and rounds after, as Hugging Face's eager attention does it.
        var probabilities = scores.dtype == ScalarType.Float32 ? scores.softmax(-1) : scores.softmax(-1, ScalarType.Float32).to_type(scores.dtype);
        var attended = probabilities.bmm(v.reshape(batch * kvHeads, keys, headDim));
        return attended.view(batch, 1, heads * headDim).MoveToOuterDisposeScope();
    }
}
