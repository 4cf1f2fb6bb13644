namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>A run was created: the configuration it runs with, kept for the record and for replay.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Seed">The run seed every random draw derives from.</param>
/// <param name="Steps">Steps the run was created with.</param>
/// <param name="PromptsPerStep">Groups per step.</param>
/// <param name="GroupSize">Outputs per group (G).</param>
/// <param name="Task">The task's name.</param>
/// <param name="ConfigText">The effective configuration (HOCON) the run was started with.</param>
[ContractVersion(1)]
public sealed record RunStarted(string RunId, ulong Seed, int Steps, int PromptsPerStep, int GroupSize, string Task, string ConfigText) : IPersisted;

/// <summary>The run began a step: its groups were asked to sample.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step (0-based).</param>
/// <param name="PolicyVersion">The policy version the step samples with.</param>
[ContractVersion(1)]
public sealed record StepStarted(string RunId, long Step, long PolicyVersion) : IPersisted;

/// <summary>The learner applied a step and the run recorded it.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step (0-based).</param>
/// <param name="Metrics">The learner's metrics of the step.</param>
/// <param name="Checkpoint">The checkpoint written after the step.</param>
[ContractVersion(1)]
public sealed record StepCompleted(string RunId, long Step, MetricsData Metrics, string Checkpoint) : IPersisted;

/// <summary>The run applied all its steps.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Steps">Steps applied.</param>
/// <param name="Checkpoint">The final checkpoint.</param>
[ContractVersion(1)]
public sealed record RunFinished(string RunId, int Steps, string Checkpoint) : IPersisted;

/// <summary>A snapshot of a run: how far it got.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Started">Whether <see cref="RunStarted"/> was recorded.</param>
/// <param name="StepsCompleted">Steps recorded as completed.</param>
/// <param name="CurrentStep">The step in progress, or -1.</param>
/// <param name="Finished">Whether the run finished.</param>
/// <param name="Checkpoint">The latest checkpoint recorded.</param>
[ContractVersion(1)]
public sealed record RunSnapshot(string RunId, bool Started, long StepsCompleted, long CurrentStep, bool Finished, string Checkpoint) : IPersisted;
