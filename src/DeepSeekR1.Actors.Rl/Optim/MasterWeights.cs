using DeepSeekR1.Actors.Model.Checkpoints;
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
    private readonly string[] names;         // names[i] names parameters[i] in a saved masters file
    private readonly Parameter[] parameters;
    private readonly Parameter[]? masters;   // masters[i] is the float32 copy of parameters[i]; null for a float32 model

    private MasterWeights(string[] names, Parameter[] parameters, Parameter[]? masters)
    {
        this.names = names;
        this.parameters = parameters;
        this.masters = masters;
    }

    /// <summary>
    /// Masters for <paramref name="parameters"/>: float32 copies when any of them is in a 16-bit floating-point type,
    /// none when all are float32 (or wider). A saved masters file names them by position; prefer the named overload.
    /// </summary>
    public static MasterWeights For(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return For(parameters.Select((p, i) => ($"parameter.{i}", p)));
    }

    /// <summary>
    /// Masters for a module's <c>named_parameters()</c>: float32 copies when any of them is in a 16-bit floating-point
    /// type, none when all are float32 (or wider). The names key the saved masters file (<see cref="Save"/>).
    /// </summary>
    public static MasterWeights For(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToArray();
        var names = list.Select(p => p.Name).ToArray();
        var all = list.Select(p => p.Parameter).ToArray();
        if (!all.Any(p => p.dtype is ScalarType.BFloat16 or ScalarType.Float16)) return new MasterWeights(names, all, null);
        using var noGrad = no_grad();
        var copies = all.Select(p =>
        {
            var master = new Parameter(p.detach().to_type(ScalarType.Float32).clone(), requires_grad: p.requires_grad);
            master.DetachFromDisposeScope();   // they live as long as the trainer, not the message or scope that made it
            return master;
        }).ToArray();
        return new MasterWeights(names, all, copies);
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

    /// <summary>
    /// Writes the float32 masters to <paramref name="path"/> (<see cref="MasterWeightsFile"/>: safetensors, keyed by
    /// parameter name). A checkpoint of a bfloat16 run needs them: its weights file holds only the rounded bfloat16
    /// values, and a run resumed from those alone would lose every update still below bfloat16 resolution.
    /// </summary>
    /// <exception cref="InvalidOperationException">There are no masters (a float32 model).</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (masters is null) throw new InvalidOperationException("a float32 model keeps no master weights to save");
        MasterWeightsFile.Write(path, names.Select((n, i) => (n, (Tensor)masters[i])));
    }

    /// <summary>
    /// Replaces the masters with those <see cref="Save"/> wrote at <paramref name="path"/> and rounds them into the
    /// parameters, so the model is exactly as it was when they were saved. Every name, shape and dtype must match.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing, damaged, or holds other parameters than this model's.</exception>
    public void Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (masters is null) throw new InvalidOperationException("a float32 model keeps no master weights to load");
        using var scope = NewDisposeScope();
        var saved = MasterWeightsFile.Read(path);
        var missing = names.Where(n => !saved.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new CheckpointException(path, $"master weights lack {missing.Count} of this model's parameters, the first '{missing[0]}'");
        var extra = saved.Keys.Except(names).ToList();
        if (extra.Count > 0) throw new CheckpointException(path, $"master weights hold '{extra[0]}', which this model does not have");
        using var noGrad = no_grad();
        for (int i = 0; i < masters.Length; i++)
        {
            var t = saved[names[i]];
            if (t.dtype != ScalarType.Float32) throw new CheckpointException(path, $"master weight '{names[i]}' is {t.dtype}, not float32");
            if (!t.shape.SequenceEqual(masters[i].shape))
                throw new CheckpointException(path, $"master weight '{names[i]}' has shape [{string.Join(", ", t.shape)}], the model's is [{string.Join(", ", masters[i].shape)}]");
            masters[i].copy_(t);
        }
        MastersToParameters();
    }

    /// <summary>Where the masters of an optimizer state saved at <paramref name="optimizerPath"/> live: beside it, <c>optimizer.masters.safetensors</c>.</summary>
    public static string PathBeside(string optimizerPath) => MasterWeightsFile.PathBeside(optimizerPath);

    /// <summary>
    /// Saves the masters beside the optimizer state at <paramref name="optimizerPath"/> (<see cref="PathBeside"/>);
    /// returns the file written, or null for a float32 model, which keeps none.
    /// </summary>
    public string? SaveBeside(string optimizerPath)
    {
        if (masters is null) return null;
        string path = PathBeside(optimizerPath);
        Save(path);
        return path;
    }

    /// <summary>
    /// Loads the masters saved beside the optimizer state at <paramref name="optimizerPath"/>; nothing for a float32
    /// model. A bfloat16 model whose checkpoint lacks them is refused: resuming from the rounded weights alone would
    /// not continue the run that was stopped.
    /// </summary>
    /// <exception cref="CheckpointException">The masters file is missing, damaged or of another model.</exception>
    public void LoadBeside(string optimizerPath)
    {
        if (masters is null) return;
        Load(PathBeside(optimizerPath));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (masters is null) return;
        foreach (var m in masters) m.Dispose();
    }
}
