namespace DeepSeekR1.Actors.Rl.Tests.Data;

/// <summary>A uniquely named temporary file with the given lines, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string name, params string[] lines)
    {
        Folder = Path.Combine(Path.GetTempPath(), "r1-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, name);
        File.WriteAllLines(FilePath, lines);
    }

    public string Folder { get; }

    public string FilePath { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
