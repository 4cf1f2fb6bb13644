namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// A SQLite journal file that is not a whole database (truncated, overwritten, not a database at all). Nothing reads
/// from or writes to it further; the message names the file and what SQLite found.
/// </summary>
public sealed class JournalDamagedException(string path, string detail)
    : IOException($"the journal {path} is damaged ({detail}); it was left as it is: restore it from a copy, or start the run again under another --data-dir")
{
    /// <summary>The journal file.</summary>
    public string Path { get; } = path;
}
