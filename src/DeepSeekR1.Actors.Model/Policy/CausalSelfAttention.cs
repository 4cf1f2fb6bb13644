using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Multi-head causal self-attention with grouped-query heads (several query heads share one key/value head),
/// rotary positions, and an optional KV cache. Attention itself is libtorch's scaled_dot_product_attention.
/// Parameter names match Hugging Face Llama/Qwen2: q_proj, k_proj, v_proj, o_proj.
/// </summary>
public sealed class CausalSelfAttention : nn.Module
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly int heads;
    private readonly int kvHeads;
    private readonly int headDim;

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
        var q = q_proj.forward(x).view(batch, seq, heads, headDim).transpose(1, 2);
        var k = k_proj.forward(x).view(batch, seq, kvHeads, headDim).transpose(1, 2);
        var v = v_proj.forward(x).view(batch, seq, kvHeads, headDim).transpose(1, 2);
        q = RotaryEmbedding.Rotate(q, rope.Cos, rope.Sin);
        k = RotaryEmbedding.Rotate(k, rope.Cos, rope.Sin);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);
        if (kvHeads != heads && seq == 1)
        {
            // One new query per row (decoding): fold each group's query heads into the "sequence" axis of its shared
            // key/value head, so the cache is read in place instead of copied once per query head.
            int group = heads / kvHeads;
            var grouped = q.reshape(batch, kvHeads, group, headDim);
            var out1 = nn.functional.scaled_dot_product_attention(grouped, k, v, attn_mask: mask);
            return o_proj.forward(out1.reshape(batch, 1, heads * headDim)).MoveToOuterDisposeScope();
        }
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
}
