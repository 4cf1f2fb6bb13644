namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// A SQLite journal the engine cannot write (a read-only file, folder or mount; a database marked read-only). Found
/// before the run starts, by a write that is rolled back; nothing in the file changes.
/// </summary>
public sealed class JournalReadOnlyException(string path, string detail)
    : IOException($"the journal {path} cannot be written ({detail}); nothing was changed: make it writable, and the same command resumes the run")
{
    /// <summary>The journal file.</summary>
    public string Path { get; } = path;
}
