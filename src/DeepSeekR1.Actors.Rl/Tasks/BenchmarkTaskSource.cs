namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// A benchmark: one file whose every question is held out (the test split); it has no training split, so training on
/// it is refused rather than quietly splitting the benchmark (MATH-500, AIME 2024).
/// </summary>
public sealed class BenchmarkTaskSource : ITaskSource
{
    private readonly string path;
    private readonly Func<string, IEnumerable<TaskItem>> read;

    /// <summary>A benchmark read from <paramref name="path"/> (a JSONL file, or a folder holding test.jsonl) with <paramref name="read"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public BenchmarkTaskSource(string name, string path, Func<string, IEnumerable<TaskItem>> read)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, FileTaskSource.TestFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"Task '{name}': no benchmark file at '{path}'.", path);
        Name = name;
        this.path = path;
        this.read = read;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <remarks>The training split is empty: a benchmark is for evaluation.</remarks>
    public IEnumerable<TaskItem> Items(TaskSplit split, ulong seed) => split == TaskSplit.Test ? read(path) : [];
}
