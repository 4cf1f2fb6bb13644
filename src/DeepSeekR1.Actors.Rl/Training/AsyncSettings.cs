using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// How far rollouts may run ahead of the learner (HOCON <c>r1.async</c>; defaults and one-line comments in
/// <c>hocon/grpo.conf</c>). With <see cref="MaxStaleness"/> k at 0, every step's samples come from the policy the step
/// trains (synchronous, on-policy GRPO). With k >= 1 the actor engine starts the groups of steps s+1..s+k while step s
/// trains, and the learner never trains on a sample more than k policy versions older than the step
/// (<see cref="StalenessStats"/> counts what it dropped). The clipped ratio's pi_old is the behaviour policy: the
/// sampler's own log-probs, journaled with each sample (docs/async.md).
/// </summary>
public sealed record AsyncSettings
{
    /// <summary>Most policy versions a trained sample may lag the step that trains it (0 = synchronous).</summary>
    public required int MaxStaleness { get; init; }

    /// <summary>The shipped defaults (<c>r1.async</c> in hocon/, the only place they live): synchronous.</summary>
    public static AsyncSettings Defaults => ShippedDefaults.Bind<AsyncSettings>("r1.async");

    /// <summary>Checks the settings, naming the key that is out of range.</summary>
    /// <exception cref="ArgumentException">A negative staleness bound.</exception>
    public AsyncSettings Validate()
    {
        if (MaxStaleness < 0) throw new ArgumentException($"r1.async.max-staleness is {MaxStaleness}; it must be 0 (synchronous) or more");
        return this;
    }
}

/// <summary>How stale one step's samples were: the policy-version lag of each, step minus the version that sampled it.</summary>
/// <param name="Mean">Mean lag of the samples the update trained on (0 when it trained on none).</param>
/// <param name="Max">Largest lag among them.</param>
/// <param name="Dropped">Samples older than the bound, left out of the update (their rewards still count in the
/// group's advantages and in the step's reward metrics: they were sampled for the same question).</param>
public sealed record StalenessStats(double Mean, long Max, int Dropped)
{
    /// <summary>The lag of a sample of step <paramref name="step"/> drawn by policy version <paramref name="version"/>.</summary>
    public static long Lag(long step, long version) => step - version;
}
