using DeepSeekR1.Actors.Model.Policy.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// One pre-norm decoder block: <c>h = x + attn(norm(x)); out = h + mlp(norm(h))</c>, where the MLP is either a dense
/// SwiGLU or a Mixture-of-Experts layer. Names match Hugging Face: input_layernorm, self_attn,
/// post_attention_layernorm, mlp.
/// </summary>
public sealed class DecoderLayer : nn.Module
{
    private readonly RmsNorm input_layernorm;
    // A module field (registered under Hugging Face's name); used through ISelfAttention.
    private readonly nn.Module self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly nn.Module<Tensor, Tensor> mlp;
    // Only in a multi-token prediction layer (index >= num-layers), null (and so unregistered) elsewhere; DeepSeek-V3's names.
    private readonly RmsNorm? enorm;
    private readonly RmsNorm? hnorm;
    private readonly TorchSharp.Modules.Linear? eh_proj;
    private readonly MtpSharedHead? shared_head;
    private readonly int index;

    /// <summary>Creates layer <paramref name="index"/> of <paramref name="config"/>.</summary>
    public DecoderLayer(ModelConfig config, int index) : base(nameof(DecoderLayer))
    {
        this.index = index;
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        self_attn = config.IsLatentAttention ? new LatentAttention(config) : new CausalSelfAttention(config);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        mlp = config.IsMoeLayer(index)
            ? new MoeLayer(config, index)
            : new SwiGluMlp(config.HiddenSize, config.IntermediateSize);
        if (index >= config.NumLayers)
        {
            enorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
            hnorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
            eh_proj = nn.Linear(2L * config.HiddenSize, config.HiddenSize, hasBias: false);
            shared_head = new MtpSharedHead(config);
        }
        RegisterComponents();
    }

    /// <summary>Whether this is a multi-token prediction layer (after the main stack).</summary>
    public bool IsMtp => eh_proj is not null;

    /// <summary>The attention, grouped-query or latent.</summary>
    public ISelfAttention Attention => (ISelfAttention)self_attn;

    /// <summary>The MoE layer, when this block has one.</summary>
    public MoeLayer? Moe => mlp as MoeLayer;

    /// <summary>Fuses the projections that share an input (q/k/v; gate/up of a dense MLP) until <see cref="Unfuse"/>.</summary>
    internal void Fuse()
    {
        Attention.Fuse();
        (mlp as SwiGluMlp)?.Fuse();
    }

    /// <summary>Returns to the separate projections.</summary>
    internal void Unfuse()
    {
        Attention.Unfuse();
        (mlp as SwiGluMlp)?.Unfuse();
    }

    /// <summary>Runs the block; see <see cref="ISelfAttention.Forward"/> for the arguments.</summary>
    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = x + Attention.Forward(input_layernorm.forward(x), rope, mask, cache, index);
        return (h + mlp.forward(post_attention_layernorm.forward(h))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A multi-token prediction step (DeepSeek-V3, section 2.2): the previous depth's hidden state at position i and
    /// the embedding of the token that follows i by this depth are normalised (hnorm, enorm), joined as
    /// <c>[enorm(embedding); hnorm(previous)]</c> (the order DeepSeek's serving code feeds eh_proj), projected back to
    /// the hidden width and run through this layer's block. Returns the block's output, before <see cref="MtpNorm"/>.
    /// With a <paramref name="cache"/> (<see cref="KvCache.ForMtp"/>: drafting for speculative decoding) the block's keys
    /// and values are appended to it and its queries also attend to the positions cached before.
    /// </summary>
    public Tensor MtpForward(Tensor previous, Tensor embeddings, (Tensor Cos, Tensor Sin) rope, Tensor? mask, KvCache? cache = null)
    {
        if (eh_proj is null) throw new InvalidOperationException($"layer {index} is not a multi-token prediction layer");
        using var scope = NewDisposeScope();
        var joined = eh_proj.forward(cat([enorm!.forward(embeddings), hnorm!.forward(previous)], dim: -1));
        return Forward(joined, rope, mask, cache).MoveToOuterDisposeScope();
    }

    /// <summary>The final norm of a multi-token prediction layer's output (shared_head.norm), before the shared output head.</summary>
    public Tensor MtpNorm(Tensor hidden) =>
        (shared_head ?? throw new InvalidOperationException($"layer {index} is not a multi-token prediction layer")).Norm(hidden);
}

/// <summary>
/// DeepSeek-V3's <c>shared_head</c> of a multi-token prediction layer: its own final norm. The output head itself is
/// the policy's (<c>shared_head.head</c> in DeepSeek's files is a copy of lm_head, checked equal on load).
/// </summary>
public sealed class MtpSharedHead : nn.Module
{
    private readonly RmsNorm norm;

    /// <summary>Creates the norm for <paramref name="config"/>'s hidden width.</summary>
    public MtpSharedHead(ModelConfig config) : base(nameof(MtpSharedHead))
    {
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }

    /// <summary>Normalises <paramref name="hidden"/>.</summary>
    public Tensor Norm(Tensor hidden) => norm.forward(hidden);
}
