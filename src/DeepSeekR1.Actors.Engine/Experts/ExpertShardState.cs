using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>
/// What an expert shard's journal says: the last state it saved to disk (after an update it applied, or one the
/// learner loaded). <see cref="Apply"/> is the only way it changes, in recovery and in persist callbacks alike; the
/// experts' tensors are working memory rebuilt from the snapshot files it names.
/// </summary>
internal sealed record ExpertShardState
{
    /// <summary>A shard that has saved nothing (it waits for the learner's weights).</summary>
    public static readonly ExpertShardState New = new();

    /// <summary>The last snapshot, or null before the first.</summary>
    public ExpertShardSaved? Last { get; init; }

    /// <summary>The last update applied in the saved state (0 before any).</summary>
    public long LastUpdate => Last?.Update ?? 0;

    /// <summary>The state after <paramref name="event"/>.</summary>
    public ExpertShardState Apply(IPersisted @event) => @event switch
    {
        ExpertShardSaved e => this with { Last = e },
        _ => throw new ArgumentException($"{@event.GetType().Name} is not an event of an expert shard", nameof(@event)),
    };
}
