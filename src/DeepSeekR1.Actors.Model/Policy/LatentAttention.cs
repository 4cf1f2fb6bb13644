using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Multi-head latent attention (MLA, DeepSeek-V2 section 2.1; DeepSeek-V3 section 2.1), computed as Hugging Face
/// transformers' <c>DeepseekV3Attention</c> does, with its parameter names:
/// <list type="bullet">
/// <item>Queries: <c>q_proj</c>, or with a low rank (q_lora_rank) <c>q_b_proj(q_a_layernorm(q_a_proj(x)))</c>;
/// each head's query is a part without position (qk_nope_head_dim) and a rotary part (qk_rope_head_dim).</item>
/// <item>Keys and values: <c>kv_a_proj_with_mqa(x)</c> gives per token a latent c (kv_lora_rank) and one rotary key
/// shared by every head (qk_rope_head_dim, the "decoupled" key). <c>kv_b_proj(kv_a_layernorm(c))</c> decompresses c
/// into each head's key part without position and its value (v_head_dim).</item>
/// <item>Scores: q_nope . k_nope + q_rot . k_rot over sqrt(qk_nope + qk_rope) (times DeepSeek-V3's yarn mscale^2,
/// <see cref="RopeScaling.SoftmaxScaleMultiplier"/>), softmax in float32, values, <c>o_proj</c>.</item>
/// </list>
/// With a KV cache only the normalised latent and the rotated shared key are stored per token (kv_lora_rank +
/// qk_rope_head_dim elements, against 2 x kv heads x head dim for GQA), and attention runs on them directly: the key
/// half of <c>kv_b_proj</c> is folded into the query (q_nope W_uk, a query in latent space) and its value half is
/// applied after the softmax, so the per-head keys and values of past tokens are never rebuilt (V2's "absorbed"
/// form). Without a cache (training, scoring) the keys and values are decompressed as transformers does.
/// </summary>
public sealed class LatentAttention : nn.Module, ISelfAttention
{
    // transformers builds q_a_layernorm and kv_a_layernorm with DeepseekV3RMSNorm's default epsilon, not rms_norm_eps.
    private const double LatentNormEps = 1e-6;

    private readonly Linear? q_proj;
    private readonly Linear? q_a_proj;
    private readonly RmsNorm? q_a_layernorm;
    private readonly Linear? q_b_proj;
    private readonly Linear kv_a_proj_with_mqa;
    private readonly RmsNorm kv_a_layernorm;
    private readonly Linear kv_b_proj;
    private readonly Linear o_proj;
    private readonly int heads;
    private readonly int rank;
    private readonly int nope;
    private readonly int ropeDim;
    private readonly int valueDim;
    private readonly bool interleaved;
    private readonly double scale;

    /// <summary>Creates the projections for <paramref name="config"/> (which must have <see cref="AttentionKind.Mla"/>).</summary>
    public LatentAttention(ModelConfig config) : base(nameof(LatentAttention))
    {
        heads = config.NumHeads;
        rank = config.KvLoraRank;
        nope = config.QkNopeHeadDim;
        ropeDim = config.QkRopeHeadDim;
        valueDim = config.VHeadDim;
        interleaved = config.RopeInterleave;
        // DeepSeek-V3 under yarn sharpens the softmax by get_mscale(factor, mscale_all_dim)^2 (1 otherwise).
        scale = RopeScaling.SoftmaxScaleMultiplier(config) / Math.Sqrt(config.QkHeadDim);
        int hidden = config.HiddenSize, qOut = heads * config.QkHeadDim;
        if (config.QLoraRank == 0) q_proj = nn.Linear(hidden, qOut, hasBias: false);
        else
        {
            q_a_proj = nn.Linear(hidden, config.QLoraRank, hasBias: false);
            q_a_layernorm = new RmsNorm(config.QLoraRank, LatentNormEps);
            q_b_proj = nn.Linear(config.QLoraRank, qOut, hasBias: false);
        }
        kv_a_proj_with_mqa = nn.Linear(hidden, rank + ropeDim, hasBias: false);
        kv_a_layernorm = new RmsNorm(rank, LatentNormEps);
        kv_b_proj = nn.Linear(rank, heads * (nope + valueDim), hasBias: false);
        o_proj = nn.Linear(heads * valueDim, hidden, hasBias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? mask, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], seq = x.shape[1];
        var q = (q_proj is not null ? q_proj.forward(x) : q_b_proj!.forward(q_a_layernorm!.forward(q_a_proj!.forward(x))))
            .view(batch, seq, heads, nope + ropeDim).transpose(1, 2);                  // (B, nh, T, nope + rope)
        var qNope = q.narrow(-1, 0, nope);
        var compressed = kv_a_proj_with_mqa.forward(x);                                // (B, T, rank + rope)
        var latent = kv_a_layernorm.forward(compressed.narrow(-1, 0, rank));           // (B, T, rank)
        var kRot = compressed.narrow(-1, rank, ropeDim).unsqueeze(1);                  // (B, 1, T, rope)
        var qRot = RotaryEmbedding.Rotate(Deinterleave(q.narrow(-1, nope, ropeDim)), rope.Cos, rope.Sin);
        kRot = RotaryEmbedding.Rotate(Deinterleave(kRot), rope.Cos, rope.Sin);
        var attended = cache is null
            ? AttendDecompressed(qNope, qRot, latent, kRot, mask)
            : AttendLatent(qNope, qRot, cache.AppendLatent(layer, cat([latent, kRot.squeeze(1)], dim: -1)), mask);
        var merged = attended.transpose(1, 2).reshape(batch, seq, heads * valueDim);   // (B, T, nh * v)
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// transformers' rope_interleave: channels (0, 1, 2, 3, ...) are reordered to (0, 2, 4, ..., 1, 3, 5, ...), so the
    /// pairs DeepSeek's weights rotate together, (2i, 2i+1), become the (i, i + d/2) pairs of the "rotate half" layout.
    /// </summary>
    private Tensor Deinterleave(Tensor x)
    {
        if (!interleaved) return x;
        var shape = x.shape;
        long[] pairs = [.. shape[..^1], ropeDim / 2, 2];
        return x.reshape(pairs).transpose(-1, -2).reshape(shape);
    }

    /// <summary>
    /// Attention as transformers computes it: every head's keys [nope | shared rotary key] and values decompressed
    /// from the latents of the same positions. Returns (B, nh, T, v).
    /// </summary>
    private Tensor AttendDecompressed(Tensor qNope, Tensor qRot, Tensor latent, Tensor kRot, Tensor? mask)
    {
        long batch = latent.shape[0], seq = latent.shape[1];
        var kv = kv_b_proj.forward(latent).view(batch, seq, heads, nope + valueDim).transpose(1, 2);
        var keys = cat([kv.narrow(-1, 0, nope), kRot.expand(batch, heads, seq, ropeDim)], dim: -1);   // (B, nh, T, qk)
        var values = kv.narrow(-1, nope, valueDim);                                                       // (B, nh, T, v)
        var scores = cat([qNope, qRot], dim: -1).matmul(keys.transpose(-1, -2)) * scale;                 // (B, nh, T, T)
        return Softmax(scores, mask ?? CausalMask(seq, seq, latent.device)).matmul(values);
    }

    /// <summary>
    /// Attention over cached latent rows [B, L, rank + rope] (the new positions' included), without rebuilding keys
    /// or values: with W_uk, W_uv the key and value halves of kv_b_proj, q_nope . (W_uk c) = (q_nope W_uk) . c, and
    /// sum_j p_j (W_uv c_j) = W_uv (sum_j p_j c_j). Returns (B, nh, T, v).
    /// </summary>
    private Tensor AttendLatent(Tensor qNope, Tensor qRot, Tensor rows, Tensor? mask)
    {
        long batch = qNope.shape[0], queries = qNope.shape[2], keys = rows.shape[1];
        // A cache kept in another dtype than the model's (bfloat16 for rollouts) is read at the queries' precision.
        if (rows.dtype != qNope.dtype) rows = rows.to_type(qNope.dtype);
        var w = kv_b_proj.weight!.view(heads, nope + valueDim, rank);
        // Per head, the query without position through W_uk: one batched matmul with heads as the batch.
        var qLatent = qNope.permute(1, 0, 2, 3).reshape(heads, batch * queries, nope)
            .bmm(w.narrow(1, 0, nope));                                                // (nh, B*T, rank)
        // A query row is [q_nope W_uk | q_rot], a cached row [c | k_rot]: one matmul against the cache as it is stored
        // scores both parts, with every head's queries as rows (no per-head copy of the cache).
        var query = cat([qLatent.view(heads, batch, queries, rank).permute(1, 0, 2, 3), qRot], dim: -1)
            .reshape(batch, heads * queries, rank + ropeDim);                          // (B, nh*T, rank + rope)
        var scores = query.bmm(rows.transpose(1, 2)).mul_(scale).view(batch, heads, queries, keys);   // (B, nh, T, L)
        // One new query (a decoding step) may see every key; several need the causal mask, offset past the cached ones.
        var allowed = mask ?? (queries == 1 ? null : CausalMask(queries, keys, rows.device));
        var mixed = Softmax(scores, allowed).view(batch, heads * queries, keys)
            .bmm(rows.narrow(-1, 0, rank));                                            // (B, nh*T, rank)
        // Per head, back out of the latent through W_uv.
        var values = mixed.view(batch, heads, queries, rank).permute(1, 0, 2, 3).reshape(heads, batch * queries, rank)
            .bmm(w.narrow(1, nope, valueDim).transpose(1, 2));                         // (nh, B*T, v)
        return values.view(heads, batch, queries, valueDim).permute(1, 0, 2, 3);      // (B, nh, T, v)
    }

    /// <summary>Softmax over keys in float32 (as transformers' eager attention), masked where <paramref name="mask"/> is false.</summary>
    private static Tensor Softmax(Tensor scores, Tensor? mask)
    {
        if (mask is not null) scores = scores.masked_fill(mask.logical_not(), double.NegativeInfinity);
        return scores.softmax(-1, ScalarType.Float32).to_type(scores.dtype);
    }

    /// <summary>[1, 1, queries, keys], true where the query (the last <paramref name="queries"/> positions) may see the key.</summary>
    private static Tensor CausalMask(long queries, long keys, Device device)
    {
        var queryPos = arange(keys - queries, keys, device: device).view(-1, 1);
        return arange(keys, device: device).view(1, -1).le(queryPos).view(1, 1, queries, keys);
    }

    /// <summary>Nothing to fuse: the latent path's projections do not share a shape the fused matmul serves.</summary>
    public void Fuse()
    {
    }

    /// <inheritdoc />
    public void Unfuse()
    {
    }
}
