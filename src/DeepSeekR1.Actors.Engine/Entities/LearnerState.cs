using System.Collections.Immutable;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// What the learner's journal says: the steps applied, in order, and the groups refused. <see cref="Apply"/> is the
/// only way it changes, in recovery and in the persist callbacks alike; the learner's model, optimizer and the groups
/// waiting for the next step are working memory rebuilt from it, not journaled state.
/// </summary>
internal sealed record LearnerState
{
    /// <summary>A learner that has applied nothing.</summary>
    public static readonly LearnerState New = new();

    /// <summary>Every applied step, in step order (step i at index i).</summary>
    public ImmutableList<StepApplied> Applied { get; init; } = [];

    /// <summary>The groups the learner refused, by group id.</summary>
    public ImmutableDictionary<string, GroupRejected> Rejected { get; init; } = ImmutableDictionary<string, GroupRejected>.Empty;

    /// <summary>Steps applied so far; also the policy version of the latest checkpoint.</summary>
    public long StepsApplied => Applied.Count;

    /// <summary>The state after <paramref name="event"/>.</summary>
    /// <exception cref="ArgumentException">An event that is not the learner's.</exception>
    public LearnerState Apply(IPersisted @event) => @event switch
    {
        StepApplied e => this with { Applied = Applied.Add(e) },
        GroupRejected e => this with { Rejected = Rejected.SetItem(e.GroupId, e) },
        // A record of what the update used, for replay and audits; nothing the learner decides by.
        StepAdvantages => this,
        ExpertLoadRecorded => this,
        StalenessRecorded => this,
        _ => throw new ArgumentException($"{@event.GetType().Name} is not an event of the learner", nameof(@event)),
    };

    /// <summary>The state a snapshot holds (snapshots written before groups could be refused have none).</summary>
    public static LearnerState From(LearnerSnapshot s) => new()
    {
        Applied = [.. s.Applied],
        Rejected = (s.Rejected ?? []).ToImmutableDictionary(r => r.GroupId),
    };

    /// <summary>This state as a snapshot; <paramref name="initialCheckpoint"/> is version 0's folder.</summary>
    public LearnerSnapshot ToSnapshot(string runId, string initialCheckpoint) =>
        new(runId, [.. Applied], initialCheckpoint, [.. Rejected.Values]);
}
