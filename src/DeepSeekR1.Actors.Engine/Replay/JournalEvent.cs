namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>One event of a run as the journal holds it: where it sits, when it was written, and the decoded contract.</summary>
/// <param name="PersistenceId">The entity that wrote it (<c>run-ID</c>, <c>learner-ID</c>, <c>group-ID/...</c>).</param>
/// <param name="SequenceNr">Its sequence number within that entity's events (from 1).</param>
/// <param name="Offset">Its position in the journal's global order (the tag query's offset).</param>
/// <param name="Timestamp">When it was written, or null when the journal did not record it.</param>
/// <param name="Manifest">The contract's manifest, e.g. <c>StepApplied.v1</c>.</param>
/// <param name="Event">The decoded contract record.</param>
public sealed record JournalEvent(string PersistenceId, long SequenceNr, long Offset, DateTimeOffset? Timestamp, string Manifest, object Event);
