namespace DeepSeekR1.Actors.Rl.Optim;

/// <summary>What the learning rate does after warmup.</summary>
public enum LrDecay
{
    /// <summary>Stays at the peak (the usual choice for RL fine-tuning, where the number of steps is open-ended).</summary>
    Constant,

    /// <summary>Follows half a cosine from the peak down to peak × min ratio at the last step, then stays there.</summary>
    Cosine,
}
