using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Rl.Analysis;

namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>One applied step of a replayed run: what the learner logged, and the analyses of the step's completions.</summary>
/// <param name="Step">The step (0-based).</param>
/// <param name="PolicyVersion">The policy version that sampled the step's completions.</param>
/// <param name="Metrics">The learner's metrics of the step, as journaled.</param>
/// <param name="Analysis">The paper's analyses of the step's journaled completions.</param>
/// <param name="AppliedAt">When the learner journaled the step, if the journal kept the time.</param>
/// <param name="WallSeconds">Seconds from the run's start to <paramref name="AppliedAt"/> (pauses and restarts included), if both are known.</param>
public sealed record ReplayStep(long Step, long PolicyVersion, MetricsData Metrics, StepAnalysis Analysis, DateTimeOffset? AppliedAt, double? WallSeconds)
{
    /// <summary>For a MoE policy's step: how its routed experts were loaded (from <see cref="ExpertLoadRecorded"/>); null otherwise.</summary>
    public ExpertLoadRecorded? ExpertLoad { get; init; }

    /// <summary>
    /// How many policy versions behind the step its completions were sampled: the mean and the largest of
    /// <c>Step - PolicyVersion</c> over the step's journaled samples (0 and 0 for an on-policy run, where each step
    /// trains on what the policy it updates produced; null without journaled samples). Asynchronous rollouts (issue 22)
    /// make it grow, bounded by their staleness limit.
    /// </summary>
    public (double Mean, long Max)? Staleness { get; init; }

    /// <summary>Samples the learner left out of the step for lagging more than <c>r1.async.max-staleness</c>.</summary>
    public int StaleDropped { get; init; }

    /// <summary>
    /// In an asynchronous run, the share of the step's time the learner waited for its groups (from
    /// <see cref="StalenessRecorded.WaitSeconds"/>); null in a synchronous run, where <see cref="Phases"/> says the same.
    /// </summary>
    public double? LearnerIdleShare { get; init; }

    /// <summary>
    /// Where the step's time went, by the journal's timestamps: seconds from its first group's start to its last
    /// journaled sample (sampling, scoring included), and from that sample to the learner's <see cref="StepApplied"/>
    /// (advantages, the update, the checkpoint). In a synchronous run the learner idles during the first and the
    /// samplers during the second, which is what overlapping them (issue 22) can win back. Null without timestamps.
    /// </summary>
    public (double Sampling, double Learning)? Phases { get; init; }
}
