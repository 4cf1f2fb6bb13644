namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>A prompt group took its question.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step.</param>
/// <param name="Index">The group's index in the step.</param>
/// <param name="Question">The question.</param>
/// <param name="PromptIds">The templated prompt's token ids.</param>
/// <param name="GroupSize">Outputs to collect (G).</param>
/// <param name="PolicyVersion">The policy version that must sample them.</param>
/// <param name="Checkpoint">Where that version's weights are.</param>
[ContractVersion(1)]
public sealed record GroupStarted(string RunId, long Step, int Index, QuestionData Question, IReadOnlyList<int> PromptIds, int GroupSize, long PolicyVersion, string Checkpoint) : IPersisted;

/// <summary>One output of a group was sampled and scored. Journaled once per sample index.</summary>
/// <param name="GroupId">The group (<c>run/step/index</c>).</param>
/// <param name="Rollout">The scored output.</param>
[ContractVersion(1)]
public sealed record RolloutRecorded(string GroupId, RolloutData Rollout) : IPersisted;

/// <summary>All G outputs are in; the group-normalised advantages are fixed.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Step">The step.</param>
/// <param name="Index">The group's index in the step.</param>
/// <param name="Advantages">
/// Empty in journals written since advantages are computed once, by the learner, under the configured scaling (its
/// <see cref="StepAdvantages"/> holds what the update used); older journals hold the group-normalised values the group
/// computed then.
/// </param>
[ContractVersion(1)]
public sealed record GroupFinished(string GroupId, long Step, int Index, IReadOnlyList<double> Advantages) : IPersisted;

/// <summary>The learner acknowledged the finished group; it is not sent again.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Step">The step.</param>
[ContractVersion(1)]
public sealed record GroupAcknowledged(string GroupId, long Step) : IPersisted;
