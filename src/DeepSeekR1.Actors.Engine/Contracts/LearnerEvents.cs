namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>
/// The learner applied a step: the learner's only event. Written after the checkpoint, so a journaled step always has
/// a complete checkpoint; a crash before it re-applies the step from the same groups.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step (0-based); the policy is at version Step + 1 after it.</param>
/// <param name="Metrics">The update's metrics.</param>
/// <param name="Checkpoint">The checkpoint folder (weights, optimizer state, manifest).</param>
/// <param name="ManifestSha256">SHA-256 of the checkpoint's manifest.json, hex.</param>
[ContractVersion(1)]
public sealed record StepApplied(string RunId, long Step, MetricsData Metrics, string Checkpoint, string ManifestSha256) : IPersisted;

/// <summary>
/// The advantages a step's update used, journaled with its <see cref="StepApplied"/> in one atomic write: computed once,
/// by the learner, from the groups' journaled rewards under the run's <c>r1.grpo.advantage-scaling</c>.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step (0-based).</param>
/// <param name="Groups">Each group of the step, in index order.</param>
[ContractVersion(1)]
public sealed record StepAdvantages(string RunId, long Step, IReadOnlyList<GroupAdvantagesData> Groups) : IPersisted;

/// <summary>
/// How a MoE policy's routed experts were loaded over a step, journaled with its <see cref="StepApplied"/> in the same
/// atomic write (a dense policy's steps have none): what `r1 replay` charts and pbm's <c>experts load</c> shows.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step (0-based).</param>
/// <param name="MaxOverMean">The busiest expert's tokens over the mean tokens per expert, averaged over MoE layers and
/// mini-batches (1 is perfect balance).</param>
/// <param name="Layers">Per MoE layer: tokens per routed expert over the step, and the balancing bias after it.</param>
[ContractVersion(1)]
public sealed record ExpertLoadRecorded(string RunId, long Step, double MaxOverMean, IReadOnlyList<ExpertLayerLoadData> Layers) : IPersisted;

/// <summary>
/// How stale an asynchronous run's step was (<c>r1.async.max-staleness</c> >= 1), journaled with its
/// <see cref="StepApplied"/> in the same atomic write; a synchronous run's steps have none (their samples lag 0).
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step (0-based).</param>
/// <param name="MaxStaleness">The bound the learner applied.</param>
/// <param name="Mean">Mean policy-version lag of the samples the update trained on.</param>
/// <param name="Max">Largest lag among them (never above <paramref name="MaxStaleness"/>).</param>
/// <param name="Dropped">Samples left out for lagging more than the bound.</param>
/// <param name="WaitSeconds">How long the learner waited for this step's groups after journaling the step before (its
/// idle time; the step's <see cref="MetricsData.StepSeconds"/> is this wait plus the update).</param>
[ContractVersion(1)]
public sealed record StalenessRecorded(string RunId, long Step, int MaxStaleness, double Mean, long Max, int Dropped, double WaitSeconds) : IPersisted;

/// <summary>One MoE layer's load over a step.</summary>
/// <param name="Layer">The layer's index.</param>
/// <param name="Tokens">Tokens (token-slots) routed to each expert.</param>
/// <param name="Bias">Each expert's auxiliary-loss-free selection bias after the step.</param>
public sealed record ExpertLayerLoadData(int Layer, IReadOnlyList<long> Tokens, IReadOnlyList<double> Bias);

/// <summary>One group's advantages as the learner used them.</summary>
/// <param name="Index">The group's index in the step.</param>
/// <param name="Advantages">One advantage per output, in sample order.</param>
public sealed record GroupAdvantagesData(int Index, IReadOnlyList<double> Advantages);

/// <summary>
/// The learner refused a finished group it cannot train on (outputs and advantages that do not match, token ids
/// outside the vocabulary, a non-finite advantage...). Journaled once; the run fails with the reason instead of the
/// learner throwing on the same group after every restart.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The group's step (0-based).</param>
/// <param name="Index">The group's index in the step.</param>
/// <param name="GroupId">The group entity's id.</param>
/// <param name="Reason">What is wrong with it.</param>
[ContractVersion(1)]
public sealed record GroupRejected(string RunId, long Step, int Index, string GroupId, string Reason) : IPersisted;

/// <summary>A snapshot of the learner: the applied steps' metrics and the latest checkpoint.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Applied">Every applied step, in order.</param>
/// <param name="InitialCheckpoint">The version-0 checkpoint.</param>
/// <param name="Rejected">The groups it refused (<see cref="GroupRejected"/>); snapshots older than the field read none.</param>
[ContractVersion(1)]
public sealed record LearnerSnapshot(string RunId, IReadOnlyList<StepApplied> Applied, string InitialCheckpoint, IReadOnlyList<GroupRejected>? Rejected = null) : IPersisted;
