using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>
/// An event of a run that this build cannot read, with where it is: the contract type and version, the persistence id
/// and the sequence number. Met when replaying a journal written by a newer build.
/// </summary>
public sealed class JournalReadException : Exception
{
    /// <summary>Describes the unreadable event.</summary>
    /// <param name="runId">The run being read.</param>
    /// <param name="persistenceId">The entity whose event it is, or null when it could not be located.</param>
    /// <param name="sequenceNr">Its sequence number, or null when it could not be located.</param>
    /// <param name="cause">What the contract codec said.</param>
    public JournalReadException(string runId, string? persistenceId, long? sequenceNr, UnknownContractException cause)
        : base(Describe(runId, persistenceId, sequenceNr, cause), cause)
    {
        PersistenceId = persistenceId;
        SequenceNr = sequenceNr;
        TypeName = cause.TypeName;
        Version = cause.Version;
    }

    /// <summary>The entity whose event it is, or null when it could not be located.</summary>
    public string? PersistenceId { get; }

    /// <summary>The event's sequence number, or null when it could not be located.</summary>
    public long? SequenceNr { get; }

    /// <summary>The event's contract type name.</summary>
    public string TypeName { get; }

    /// <summary>The event's contract version, or null when its manifest names none.</summary>
    public int? Version { get; }

    private static string Describe(string runId, string? persistenceId, long? sequenceNr, UnknownContractException cause)
    {
        string version = cause.Version is int v ? $"version {v}" : "no version";
        string where = (persistenceId, sequenceNr) switch
        {
            (null, _) => "somewhere in the run's events",
            (_, null) => $"persistence id '{persistenceId}'",
            _ => $"persistence id '{persistenceId}', sequence nr {sequenceNr}",
        };
        string known = cause.Known.Count > 0 ? $"this build reads {string.Join(", ", cause.Known)}" : "this build has no event of that type";
        return $"run '{runId}': cannot read event {cause.TypeName} {version} (manifest '{cause.Manifest}') at {where}: {known}; "
            + "the journal was written by a newer build, which is needed to read it";
    }
}
