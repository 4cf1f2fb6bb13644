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
/// <param name="Metrics">
/// Null in journals written since step metrics are journaled once: the learner's <see cref="StepApplied"/> holds
/// them. Journals written before carry a copy here, which a reader uses only when the learner's event is missing.
/// </param>
/// <param name="Checkpoint">The checkpoint written after the step.</param>
[ContractVersion(1)]
public sealed record StepCompleted(string RunId, long Step, MetricsData? Metrics, string Checkpoint) : IPersisted;

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

/// <summary>
/// The run failed for good: something no restart can fix (a finished group the learner refused, a step whose update
/// failed again after the policy was reloaded). No step starts after it; the reason is what <c>r1 train</c> prints.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="StepsCompleted">Steps completed when it failed.</param>
/// <param name="Reason">Why, naming the group or step.</param>
[ContractVersion(1)]
public sealed record RunFailed(string RunId, long StepsCompleted, string Reason) : IPersisted;

/// <summary>
/// The run's engine died abnormally (a signal, a crash in native code, an out-of-memory kill) and its supervisor
/// (<c>r1 train</c>) started it again from the journal. Journaled by the restarted engine before it goes on.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Restart">Which restart this is (1 for the first).</param>
/// <param name="MaxRestarts">How many the supervisor allows (<c>r1.train.max-restarts</c>).</param>
/// <param name="Cause">How the engine died, as the supervisor saw it: <c>SIGSEGV at step 134</c>, <c>exit code 134</c>.</param>
/// <param name="StepsCompleted">Steps recorded as completed when the restarted engine came up.</param>
[ContractVersion(1)]
public sealed record RunRestarted(string RunId, int Restart, int MaxRestarts, string Cause, long StepsCompleted) : IPersisted;

/// <summary>A snapshot of a run: its configuration, lifecycle and how far it got.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Config">The run's <see cref="RunStarted"/>, or null before it.</param>
/// <param name="StepsCompleted">Steps recorded as completed.</param>
/// <param name="CurrentStep">The step in progress, or -1.</param>
/// <param name="State">The lifecycle state (see <see cref="RunStates"/>).</param>
/// <param name="Checkpoint">The latest checkpoint recorded.</param>
/// <param name="Restarts">Engine restarts journaled so far (<see cref="RunRestarted"/>); snapshots older than the field read 0.</param>
/// <param name="Failure">Why a failed run failed (<see cref="RunFailed"/>); null otherwise and in older snapshots.</param>
[ContractVersion(1)]
public sealed record RunSnapshot(string RunId, RunStarted? Config, long StepsCompleted, long CurrentStep, string State, string Checkpoint, int Restarts = 0, string? Failure = null) : IPersisted;

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
    /// <summary>Ended by a fault no restart can fix (<see cref="RunFailed"/>).</summary>
    public const string Failed = "failed";
}
