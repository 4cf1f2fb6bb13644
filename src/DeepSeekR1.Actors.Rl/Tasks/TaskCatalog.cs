using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>Finds a task by the name used in configuration and on the command line.</summary>
public static class TaskCatalog
{
    /// <summary>Generated multi-digit arithmetic (<see cref="ArithmeticTask"/>).</summary>
    public const string Arithmetic = "arithmetic";

    /// <summary>Generated Countdown puzzles (<see cref="CountdownTask"/>).</summary>
    public const string Countdown = "countdown";

    /// <summary>GSM8K from its JSONL files (<see cref="Gsm8kDataset"/>); needs a path.</summary>
    public const string Gsm8k = "gsm8k";

    /// <summary>Generic question-answer JSONL (<see cref="QaJsonlDataset"/>); needs a path.</summary>
    public const string Jsonl = "jsonl";

    /// <summary>Every name <see cref="Get"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [Arithmetic, Countdown, Gsm8k, Jsonl];

    /// <summary>The task called <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="path">For file-backed tasks: a dataset folder (with train.jsonl and test.jsonl) or one JSONL file. Ignored by generated tasks.</param>
    /// <returns>The task.</returns>
    public static ITaskSource Get(string name, string? path = null) => name.ToLowerInvariant() switch
    {
        Arithmetic => new ArithmeticTask(),
        Countdown => new CountdownTask(),
        Gsm8k => new FileTaskSource(Gsm8k, RequirePath(name, path), file => Gsm8kDataset.Read(file)),
        Jsonl => new FileTaskSource(Jsonl, RequirePath(name, path), file => QaJsonlDataset.Read(file)),
        _ => throw new ArgumentException($"Unknown task '{name}'. Known tasks: {string.Join(", ", Names)}.", nameof(name)),
    };

    private static string RequirePath(string name, string? path) =>
        string.IsNullOrWhiteSpace(path)
            ? throw new ArgumentException($"Task '{name}' reads files: give the path of its folder or JSONL file.", nameof(path))
            : path;
}
