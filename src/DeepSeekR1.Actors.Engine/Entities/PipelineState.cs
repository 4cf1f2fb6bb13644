using System.Collections.Immutable;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>The states a pipeline is in (<see cref="PipelineStatus.State"/>).</summary>
public static class PipelineStates
{
    /// <summary>Nothing journaled.</summary>
    public const string New = "new";
    /// <summary>Started, not every stage done.</summary>
    public const string Running = "running";
    /// <summary>The last attempt of a stage failed; the next open retries it.</summary>
    public const string Failed = "failed";
    /// <summary>Every stage done.</summary>
    public const string Finished = "finished";
    /// <summary>Paused: the stage in progress (if any) finishes, no new stage starts until resumed.</summary>
    public const string Paused = "paused";
}

/// <summary>
/// What a pipeline's journal says about it, as a value: <see cref="Apply"/> folds one event in, during recovery and
/// after a persist alike. The entity decides which events to persist; this record says what they mean.
/// </summary>
internal sealed record PipelineState
{
    /// <summary>A pipeline with nothing journaled.</summary>
    public static readonly PipelineState New = new();

    /// <summary>How it was created (null until <see cref="PipelineStarted"/>).</summary>
    public PipelineStarted? Started { get; init; }

    /// <summary>One of <see cref="PipelineStates"/>.</summary>
    public string State { get; init; } = PipelineStates.New;

    /// <summary>The finished stages, in the order they finished.</summary>
    public ImmutableList<PipelineStageCompleted> Completed { get; init; } = [];

    /// <summary>The stage in progress ("" when none).</summary>
    public string Current { get; init; } = "";

    /// <summary>Starts journaled per stage.</summary>
    public ImmutableDictionary<string, int> Attempts { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>Why the last attempt failed ("" unless <see cref="PipelineStates.Failed"/>).</summary>
    public string Failure { get; init; } = "";

    /// <summary>The first stage, in the pipeline's order, that has not finished; null when all have (or none exist).</summary>
    public string? NextStage => Started?.Stages.FirstOrDefault(s => !Completed.Any(c => c.Stage == s));

    /// <summary>The state after <paramref name="event"/>.</summary>
    /// <exception cref="ArgumentException">An event that is not a pipeline's: a journal mix-up, never ignored.</exception>
    public PipelineState Apply(IPersisted @event) => @event switch
    {
        PipelineStarted e => this with { Started = e, State = PipelineStates.Running },
        PipelineStageStarted e => this with
        {
            Current = e.Stage, State = State == PipelineStates.Paused ? State : PipelineStates.Running, Failure = "",
            Attempts = Attempts.SetItem(e.Stage, e.Attempt),
        },
        PipelineStageCompleted e => this with { Completed = Completed.Add(e), Current = "" },
        PipelineStageFailed e => this with { Current = "", State = State == PipelineStates.Paused ? State : PipelineStates.Failed, Failure = $"stage {e.Stage} (attempt {e.Attempt}): {e.Reason}" },
        PipelineFinished => this with { State = PipelineStates.Finished, Current = "" },
        PipelinePaused => this with { State = PipelineStates.Paused },
        PipelineResumed => this with { State = Failure.Length > 0 ? PipelineStates.Failed : PipelineStates.Running },
        _ => throw new ArgumentException($"{@event.GetType().Name} is not an event of a pipeline", nameof(@event)),
    };

    /// <summary>The answer to a status question.</summary>
    public PipelineStatus Status(string pipelineId) => new(pipelineId, State, Started?.Stages ?? [], Completed, Current,
        Current.Length > 0 ? Attempts.GetValueOrDefault(Current) : Attempts.Values.DefaultIfEmpty(0).Max(), Failure);
}
