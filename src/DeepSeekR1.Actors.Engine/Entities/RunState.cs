using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// What a run's journal says about it, as a value: <see cref="Apply"/> folds one event in, and is the only place the
/// run's state changes, whether the event is being recovered or was just persisted. The entity decides which events
/// to persist; this record says what they mean.
/// </summary>
internal sealed record RunState
{
    /// <summary>A run with nothing journaled.</summary>
    public static readonly RunState New = new();

    /// <summary>The run's recorded configuration (null until <see cref="RunStarted"/>).</summary>
    public RunStarted? Config { get; init; }

    /// <summary>One of <see cref="RunStates"/>.</summary>
    public string State { get; init; } = RunStates.New;

    /// <summary>Steps recorded as completed.</summary>
    public long Completed { get; init; }

    /// <summary>The latest step started and not completed, -1 when none: steps Completed..Current are in flight (one
    /// when synchronous, up to 1 + r1.async.max-staleness when not).</summary>
    public long Current { get; init; } = -1;

    /// <summary>The checkpoint of the last completed step.</summary>
    public string Checkpoint { get; init; } = "";

    /// <summary>Engine restarts journaled (<see cref="RunRestarted"/>).</summary>
    public int Restarts { get; init; }

    /// <summary>Why a failed run failed.</summary>
    public string? Failure { get; init; }

    /// <summary>Whether the run will start no more steps (finished, stopped or failed).</summary>
    public bool IsOver => State is RunStates.Finished or RunStates.Stopped or RunStates.Failed;

    /// <summary>The state after <paramref name="event"/>.</summary>
    /// <exception cref="ArgumentException">An event that is not the run's: a journal mix-up, never ignored.</exception>
    public RunState Apply(IPersisted @event) => @event switch
    {
        RunStarted e => this with { Config = e, State = RunStates.Running },
        StepStarted e => this with { Current = e.Step },
        StepCompleted e => this with { Completed = e.Step + 1, Checkpoint = e.Checkpoint, Current = Current == e.Step ? -1 : Current },
        RunPaused => this with { State = RunStates.Paused },
        RunResumed => this with { State = RunStates.Running },
        RunStopped => this with { State = RunStates.Stopped },
        RunFinished e => this with { State = RunStates.Finished, Checkpoint = e.Checkpoint },
        RunExtended => this with { State = RunStates.Running },
        RunRestarted => this with { Restarts = Restarts + 1 },
        RunFailed e => this with { State = RunStates.Failed, Failure = e.Reason },
        _ => throw new ArgumentException($"{@event.GetType().Name} is not an event of a run", nameof(@event)),
    };

    /// <summary>The state a snapshot holds.</summary>
    public static RunState From(RunSnapshot s) => new()
    {
        Config = s.Config, Completed = s.StepsCompleted, Current = s.CurrentStep, State = s.State, Checkpoint = s.Checkpoint,
        Restarts = s.Restarts, Failure = s.Failure,
    };

    /// <summary>This state as a snapshot of run <paramref name="runId"/>.</summary>
    public RunSnapshot ToSnapshot(string runId) => new(runId, Config, Completed, Current, State, Checkpoint, Restarts, Failure);

    /// <summary>This state as the status pbm and the host see.</summary>
    public RunStatus Status(string runId) => new(runId, State, Completed, Current, Checkpoint, Restarts);

    /// <summary>How the run ended, for the host.</summary>
    public RunCompleted Completion(string runId) => new(runId, (int)Completed, Checkpoint, State, Failure);
}
