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

/// <summary>The run was paused: the step in flight finishes, no new step starts.</summary>
/// <param name="RunId">The run.</param>
/// <param name="StepsCompleted">Steps completed when it was paused.</param>
[ContractVersion(1)]
public sealed record RunPaused(string RunId, long StepsCompleted) : IPersisted;

/// <summary>The run was resumed after a pause.</summary>
/// <param name="RunId">The run.</param>
/// <param name="StepsCompleted">Steps completed when it was resumed.</param>
[ContractVersion(1)]
public sealed record RunResumed(string RunId, long StepsCompleted) : IPersisted;

/// <summary>The run was stopped for good: no new step starts, now or after a restart.</summary>
/// <param name="RunId">The run.</param>
/// <param name="StepsCompleted">Steps completed when it was stopped.</param>
[ContractVersion(1)]
public sealed record RunStopped(string RunId, long StepsCompleted) : IPersisted;

/// <summary>A finished run was given more steps (resumed with a larger <c>r1.grpo.steps</c>) and runs again.</summary>
/// <param name="RunId">The run.</param>
/// <param name="StepsCompleted">Steps completed when it was extended.</param>
/// <param name="Steps">The new number of steps.</param>
[ContractVersion(1)]
public sealed record RunExtended(string RunId, long StepsCompleted, int Steps) : IPersisted;

/// <summary>A snapshot of a run: its configuration, lifecycle and how far it got.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Config">The run's <see cref="RunStarted"/>, or null before it.</param>
/// <param name="StepsCompleted">Steps recorded as completed.</param>
/// <param name="CurrentStep">The step in progress, or -1.</param>
/// <param name="State">The lifecycle state (see <see cref="RunStates"/>).</param>
/// <param name="Checkpoint">The latest checkpoint recorded.</param>
[ContractVersion(1)]
public sealed record RunSnapshot(string RunId, RunStarted? Config, long StepsCompleted, long CurrentStep, string State, string Checkpoint) : IPersisted;

/// <summary>The lifecycle states of a run.</summary>
public static class RunStates
{
    /// <summary>Not started yet.</summary>
    public const string New = "new";
    /// <summary>Starting steps.</summary>
    public const string Running = "running";
    /// <summary>Finishing the step in flight, starting no new one.</summary>
    public const string Paused = "paused";
    /// <summary>Stopped for good before its last step.</summary>
    public const string Stopped = "stopped";
    /// <summary>Every step applied.</summary>
    public const string Finished = "finished";
}
