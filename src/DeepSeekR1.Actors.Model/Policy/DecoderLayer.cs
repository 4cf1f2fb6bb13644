using DeepSeekR1.Actors.Model.Policy.Moe;
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
        RegisterComponents();
    }

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
}
