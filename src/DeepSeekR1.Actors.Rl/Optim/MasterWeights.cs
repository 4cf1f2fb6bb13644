using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Optim;

/// <summary>
/// Float32 master copies of a model's lower-precision (bfloat16) parameters, the mixed-precision recipe of
/// Micikevicius et al. (2018) that Megatron, DeepSpeed and FSDP's <c>MixedPrecision</c> follow: the forward and backward
/// run in bfloat16, the gradients are upcast to float32 onto the masters, clipping and AdamW work on the masters, and the
/// updated masters are rounded back into the bfloat16 parameters. Without masters a bfloat16 weight (8 mantissa bits)
/// would swallow every update smaller than 1/256 of itself, which is most of them at RL learning rates.
/// For a float32 model there is nothing to keep: <see cref="Trainable"/> is the parameters themselves and every
/// method is a no-op, so the float32 path does exactly what it did before masters existed.
/// </summary>
public sealed class MasterWeights : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Parameter[]? masters;   // masters[i] is the float32 copy of parameters[i]; null for a float32 model

    private MasterWeights(Parameter[] parameters, Parameter[]? masters)
    {
        this.parameters = parameters;
        this.masters = masters;
    }

    /// <summary>
    /// Masters for <paramref name="parameters"/>: float32 copies when any of them is in a 16-bit floating-point type,
    /// none when all are float32 (or wider).
    /// </summary>
    public static MasterWeights For(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var all = parameters.ToArray();
        if (!all.Any(p => p.dtype is ScalarType.BFloat16 or ScalarType.Float16)) return new MasterWeights(all, null);
        using var noGrad = no_grad();
        var copies = all.Select(p => new Parameter(p.detach().to_type(ScalarType.Float32).clone(), requires_grad: p.requires_grad)).ToArray();
        return new MasterWeights(all, copies);
    }

    /// <summary>Whether float32 masters are kept (the model is not float32).</summary>
    public bool Active => masters is not null;

    /// <summary>What the optimizer steps and clipping measures: the float32 masters, or the parameters of a float32 model.</summary>
    public IReadOnlyList<Parameter> Trainable => masters ?? parameters;

    /// <summary>
    /// After <c>backward()</c>: upcasts each parameter's gradient onto its master (float32) and zeroes the parameter's, so
    /// the next backward starts from zero as the optimizer's <c>zero_grad</c> (which reaches only the masters) intends.
    /// </summary>
    public void GradientsToMasters()
    {
        if (masters is null) return;
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].grad is not { } low) continue;
            if (masters[i].grad is { } high) high.copy_(low);
            // copy: a float32 parameter among bfloat16 ones (a reward model's head) would otherwise share its gradient
            // with its master, and the zero_ below would wipe the master's.
            else masters[i].grad = low.to_type(ScalarType.Float32, copy: true);
            low.zero_();
        }
    }

    /// <summary>After the optimizer step: rounds the updated masters into the parameters (round to nearest even).</summary>
    public void MastersToParameters()
    {
        if (masters is null) return;
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(masters[i]);
    }

    /// <summary>
    /// After the parameters were set from outside (a checkpoint loaded into the model): takes the masters from them. The
    /// bits a bfloat16 checkpoint never stored are lost, as in any bfloat16 save.
    /// </summary>
    public void ParametersToMasters()
    {
        if (masters is null) return;
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++) masters[i].copy_(parameters[i]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (masters is null) return;
        foreach (var m in masters) m.Dispose();
    }
}
