namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>The write time the SQL journal keeps with each event (.NET ticks, UTC), as a date.</summary>
internal static class JournalTimestamp
{
    /// <summary>The time, or null when the journal kept none (0) or a value that is no valid tick count.</summary>
    public static DateTimeOffset? From(long ticks) =>
        ticks > 0 && ticks <= DateTime.MaxValue.Ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
}
