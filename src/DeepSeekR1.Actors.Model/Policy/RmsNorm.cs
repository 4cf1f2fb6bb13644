using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Root-mean-square layer norm (Zhang and Sennrich, 2019), as Llama, Qwen and DeepSeek use it:
/// <c>y = x / sqrt(mean(x^2) + eps) * weight</c>, with no mean subtraction and no bias.
/// TorchSharp 0.107 has no RMSNorm, hence this module.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    // Field names are the parameter names: "weight", as in Hugging Face checkpoints.
    private readonly Parameter weight;
    private readonly double eps;

    /// <summary>Creates a norm over the last dimension of width <paramref name="size"/>, weight initialised to one.</summary>
    public RmsNorm(long size, double eps) : base(nameof(RmsNorm))
    {
        this.eps = eps;
        weight = new Parameter(ones(size));
        RegisterComponents();
    }

    /// <summary>The learned per-channel scale.</summary>
    public Parameter Weight => weight;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (RowKernels.Applies(x, weight)) return RowKernels.RmsNorm(x, weight, eps);
        using var scope = NewDisposeScope();
        // Normalise in float32 even when x is half precision: the mean of squares overflows/underflows in 16 bits.
        // (Float32 input skips the two conversions: at decoding sizes every op's fixed cost counts.)
        bool wide = x.dtype == ScalarType.Float32;
        var x32 = wide ? x : x.to_type(ScalarType.Float32);
        var normed = x32 * x32.square().mean([-1L], keepdim: true).add(eps).rsqrt();
        return ((wide ? normed : normed.to_type(x.dtype)) * weight).MoveToOuterDisposeScope();
    }
}
