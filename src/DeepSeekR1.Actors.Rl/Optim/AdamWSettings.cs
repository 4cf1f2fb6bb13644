namespace DeepSeekR1.Actors.Rl.Optim;

/// <summary>
/// AdamW hyperparameters. Defaults: R1's RL learning rate (3e-6) with the betas and weight decay of the
/// DeepSeek-V3 technical report (0.9, 0.95, 0.1); a lower beta2 than the usual 0.999 makes the second-moment
/// estimate forget faster, which tolerates the non-stationary gradients of RL better.
/// </summary>
public sealed record AdamWSettings
{
    /// <summary>Initial learning rate (overwritten each step when a schedule drives it).</summary>
    public double LearningRate { get; init; } = 3e-6;

    /// <summary>Decay rate of the first-moment (mean) estimate.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay rate of the second-moment (uncentred variance) estimate.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Added to the root of the second moment to keep the update finite.</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay: each step multiplies parameters by (1 - lr × weightDecay).</summary>
    public double WeightDecay { get; init; } = 0.1;
}
