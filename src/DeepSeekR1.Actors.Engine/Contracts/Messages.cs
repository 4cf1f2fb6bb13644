using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>Host to Run: start the run, or resume it from its journal.</summary>
/// <param name="RunId">The run.</param>
[ContractVersion(1)]
public sealed record StartRun(string RunId) : IWireMessage;

/// <summary>Run to PromptGroup: sample, score and finish this question (idempotent).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step.</param>
/// <param name="Index">The group's index in the step.</param>
/// <param name="Question">The question.</param>
/// <param name="GroupSize">Outputs to collect (G).</param>
/// <param name="PolicyVersion">The policy version that must sample them.</param>
/// <param name="Checkpoint">Where that version's weights are.</param>
[ContractVersion(1)]
public sealed record StartGroup(string RunId, long Step, int Index, QuestionData Question, int GroupSize, long PolicyVersion, string Checkpoint) : IWireMessage;

/// <summary>One output to generate.</summary>
/// <param name="GroupId">The group that wants it.</param>
/// <param name="Sample">Its index in the group.</param>
/// <param name="PromptIds">The prompt's token ids.</param>
/// <param name="Seed">The seed of its random stream, from (run seed, step, group, sample).</param>
/// <param name="PolicyVersion">The policy version that must generate it.</param>
/// <param name="Checkpoint">Where that version's weights are.</param>
[ContractVersion(1)]
public sealed record SampleWork(string GroupId, int Sample, IReadOnlyList<int> PromptIds, ulong Seed, long PolicyVersion, string Checkpoint) : IWireMessage;

/// <summary>PromptGroup to the work queue: these outputs are missing.</summary>
/// <param name="Work">The missing outputs.</param>
[ContractVersion(1)]
public sealed record OfferWork(IReadOnlyList<SampleWork> Work) : IWireMessage;

/// <summary>Sampler to the work queue: I am free for up to <paramref name="MaxSamples"/> outputs.</summary>
/// <param name="Slot">The sampler's slot id.</param>
/// <param name="MaxSamples">The most outputs it generates in one batch.</param>
[ContractVersion(1)]
public sealed record RequestWork(string Slot, int MaxSamples) : IWireMessage;

/// <summary>Work queue to sampler: outputs to generate, all at the same policy version.</summary>
/// <param name="Work">The outputs.</param>
[ContractVersion(1)]
public sealed record WorkBatch(IReadOnlyList<SampleWork> Work) : IWireMessage;

/// <summary>Sampler to the work queue: my batch failed; hand it out again.</summary>
/// <param name="Slot">The sampler's slot id.</param>
/// <param name="Reason">What went wrong.</param>
[ContractVersion(1)]
public sealed record WorkFailed(string Slot, string Reason) : IWireMessage;

/// <summary>One generated output, not yet scored.</summary>
/// <param name="Sample">Its index in the group.</param>
/// <param name="CompletionIds">The sampled token ids.</param>
/// <param name="LogProbs">Their log-probabilities under the sampling policy.</param>
/// <param name="Finish">Why generation stopped.</param>
/// <param name="PolicyVersion">The policy version that generated it.</param>
[ContractVersion(1)]
public sealed record SampledOutput(int Sample, IReadOnlyList<int> CompletionIds, IReadOnlyList<float> LogProbs, FinishReason Finish, long PolicyVersion) : IWireMessage;

/// <summary>
/// Sampler to PromptGroup: the outputs of one group that one generation batch produced. One message per group and batch
/// (not per output), so the group scores and journals them together: one journal write instead of one per output.
/// </summary>
/// <param name="GroupId">The group.</param>
/// <param name="Outputs">The generated outputs, in sample order.</param>
[ContractVersion(1)]
public sealed record RolloutsSampled(string GroupId, IReadOnlyList<SampledOutput> Outputs) : IWireMessage;

/// <summary>PromptGroup to RewardVerifier: score these outputs of one group.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Question">The question.</param>
/// <param name="Outputs">The generated outputs.</param>
[ContractVersion(1)]
public sealed record VerifyRollouts(string GroupId, QuestionData Question, IReadOnlyList<SampledOutput> Outputs) : IWireMessage;

/// <summary>RewardVerifier to PromptGroup: the scored outputs, in the order asked.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Rollouts">The scored outputs.</param>
[ContractVersion(1)]
public sealed record RolloutsVerified(string GroupId, IReadOnlyList<RolloutData> Rollouts) : IWireMessage;

/// <summary>PromptGroup to Learner: a finished group, sent again until acknowledged.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Group">The group with its advantages.</param>
[ContractVersion(1)]
public sealed record DeliverGroup(string GroupId, GroupData Group) : IWireMessage;

/// <summary>Learner to PromptGroup: the group's step is applied (now, or already before).</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Step">The step.</param>
[ContractVersion(1)]
public sealed record GroupAccepted(string GroupId, long Step) : IWireMessage;

/// <summary>Run to Learner: which steps are applied after <paramref name="AfterStep"/>?</summary>
/// <param name="RunId">The run.</param>
/// <param name="AfterStep">The last step the run has recorded (-1 for none).</param>
[ContractVersion(1)]
public sealed record QueryLearner(string RunId, long AfterStep) : IWireMessage;

/// <summary>
/// Run to Learner: the run has just started the groups of <paramref name="Step"/>. When that is the step the learner waits
/// for, the step's sampling begins now: the learner times the step from here, so a pause (or any wait for the run to
/// open the step) is not counted as sampling in its <c>StepSeconds</c>.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step opened (0-based).</param>
[ContractVersion(1)]
public sealed record StepOpened(string RunId, long Step) : IWireMessage;

/// <summary>Learner to Run: its progress.</summary>
/// <param name="StepsApplied">Steps applied (= the current policy version).</param>
/// <param name="Checkpoint">The current version's checkpoint.</param>
/// <param name="Applied">The applied steps after the one asked about.</param>
[ContractVersion(1)]
public sealed record LearnerProgress(long StepsApplied, string Checkpoint, IReadOnlyList<StepApplied> Applied) : IWireMessage;

/// <summary>Learner to everyone subscribed: a new policy version is on disk.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Version">The version (= steps applied).</param>
/// <param name="Checkpoint">Its checkpoint folder.</param>
[ContractVersion(1)]
public sealed record PolicyVersionPublished(string RunId, long Version, string Checkpoint) : IWireMessage;

/// <summary>Run to the host's subscribers: a step was recorded.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step (0-based).</param>
/// <param name="Metrics">Its metrics.</param>
/// <param name="Checkpoint">The checkpoint after it.</param>
[ContractVersion(1)]
public sealed record RunStepReported(string RunId, long Step, MetricsData Metrics, string Checkpoint) : IWireMessage;

/// <summary>Run to the host's subscribers: the run ended, every step applied or stopped early.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Steps">Steps applied.</param>
/// <param name="Checkpoint">The latest checkpoint.</param>
/// <param name="State"><see cref="RunStates.Finished"/>, <see cref="RunStates.Stopped"/> or <see cref="RunStates.Failed"/>.</param>
/// <param name="Reason">Why a failed run failed; null otherwise.</param>
[ContractVersion(1)]
public sealed record RunCompleted(string RunId, int Steps, string Checkpoint, string State, string? Reason = null) : IWireMessage;

/// <summary>
/// An entity to the host's subscribers (the run topic): it hit a fault it cannot get past by itself and that a restart
/// would meet again (the latest checkpoint is corrupt or gone, the journal cannot be written). Nothing is journaled:
/// the host ends with the reason, and the same command resumes once the cause is fixed.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Reason">What failed, naming the path.</param>
[ContractVersion(1)]
public sealed record RunFaulted(string RunId, string Reason) : IWireMessage;

/// <summary>Learner to a Run: it cannot go on (the reason names the group or step); the run journals <see cref="RunFailed"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Reason">Why.</param>
[ContractVersion(1)]
public sealed record FailRun(string RunId, string Reason) : IWireMessage;

/// <summary>Run to the host's subscribers: the run cannot go on as asked (for example resumed with another seed).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Reason">Why, naming the setting.</param>
[ContractVersion(1)]
public sealed record RunRejected(string RunId, string Reason) : IWireMessage;

/// <summary>To a Run: finish the step in flight, start no new one until resumed. Replies <see cref="RunStatus"/>.</summary>
/// <param name="RunId">The run.</param>
[ContractVersion(1)]
public sealed record PauseRun(string RunId) : IWireMessage;

/// <summary>To a Run: continue after a pause. Replies <see cref="RunStatus"/>.</summary>
/// <param name="RunId">The run.</param>
[ContractVersion(1)]
public sealed record ResumeRun(string RunId) : IWireMessage;

/// <summary>To a Run: start no new step, ever; the step in flight still finishes. Replies <see cref="RunStatus"/>.</summary>
/// <param name="RunId">The run.</param>
[ContractVersion(1)]
public sealed record StopRun(string RunId) : IWireMessage;

/// <summary>To a Run: where are you? Replies <see cref="RunStatus"/>.</summary>
/// <param name="RunId">The run.</param>
[ContractVersion(1)]
public sealed record GetRunStatus(string RunId) : IWireMessage;

/// <summary>A run's lifecycle state and progress.</summary>
/// <param name="RunId">The run.</param>
/// <param name="State">One of <see cref="RunStates"/>.</param>
/// <param name="StepsCompleted">Steps recorded as completed.</param>
/// <param name="CurrentStep">The step in flight, or -1.</param>
/// <param name="Checkpoint">The latest checkpoint recorded.</param>
/// <param name="Restarts">Times the run's engine died and was restarted from the journal (<see cref="RunRestarted"/>).</param>
[ContractVersion(1)]
public sealed record RunStatus(string RunId, string State, long StepsCompleted, long CurrentStep, string Checkpoint, int Restarts = 0) : IWireMessage;

/// <summary>Host to a sampler slot: start pulling work.</summary>
/// <param name="Slot">The slot id.</param>
[ContractVersion(1)]
public sealed record StartSampler(string Slot) : IWireMessage;
