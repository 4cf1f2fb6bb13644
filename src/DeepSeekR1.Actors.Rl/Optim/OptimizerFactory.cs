using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Optim;

/// <summary>Builds the learner's optimizer and drives its learning rate.</summary>
public static class OptimizerFactory
{
    /// <summary>Creates AdamW (decoupled weight decay) over the given parameters.</summary>
    /// <param name="parameters">Trainable parameters.</param>
    /// <param name="settings">Hyperparameters.</param>
    /// <returns>The optimizer; the caller owns and disposes it.</returns>
    public static AdamW CreateAdamW(IEnumerable<Parameter> parameters, AdamWSettings settings)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(settings);
        var list = parameters.ToList();
        // AdamW on bfloat16 weights loses most updates to rounding; a trainer over a bfloat16 model steps float32
        // masters (MasterWeights) instead, and one that does not yet must not train silently wrong.
        if (list.FirstOrDefault(p => p.dtype is ScalarType.BFloat16 or ScalarType.Float16) is { } low)
            throw new NotSupportedException($"AdamW over {low.dtype} parameters: this trainer keeps no float32 master weights for r1.model.dtype = bfloat16 yet (issue 23)");
        return optim.AdamW(
            list,
            lr: settings.LearningRate,
            beta1: settings.Beta1,
            beta2: settings.Beta2,
            eps: settings.Eps,
            weight_decay: settings.WeightDecay);
    }

    /// <summary>Sets the learning rate of every parameter group; call before each step with the schedule's value.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="learningRate">The learning rate for the coming step.</param>
    public static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }

    /// <summary>The learning rate of the first parameter group (all groups share it when set through <see cref="SetLearningRate"/>).</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <returns>The current learning rate.</returns>
    public static double LearningRate(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer.ParamGroups.First().LearningRate;
    }
}
