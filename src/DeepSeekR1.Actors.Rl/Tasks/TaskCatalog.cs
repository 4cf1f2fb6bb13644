using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>Finds a task by the name used in configuration and on the command line.</summary>
public static class TaskCatalog
{
    /// <summary>Generated multi-digit arithmetic (<see cref="ArithmeticTask"/>).</summary>
    public const string Arithmetic = "arithmetic";

    /// <summary>The arithmetic task with half its questions asked in Chinese (<see cref="ArithmeticTask"/>, bilingual).</summary>
    public const string ArithmeticBilingual = "arithmetic-bilingual";

    /// <summary>Generated sums and differences of two numbers, the level being their digits (<see cref="SumsTask"/>).</summary>
    public const string Sums = "sums";

    /// <summary>Generated Countdown puzzles (<see cref="CountdownTask"/>).</summary>
    public const string Countdown = "countdown";

    /// <summary>GSM8K from its JSONL files (<see cref="Gsm8kDataset"/>); needs a path.</summary>
    public const string Gsm8k = "gsm8k";

    /// <summary>Generic question-answer JSONL (<see cref="QaJsonlDataset"/>); needs a path.</summary>
    public const string Jsonl = "jsonl";

    /// <summary>Competition math in the MATH schema (<see cref="MathDataset"/>); needs a path (<c>math:PATH</c> or the data setting).</summary>
    public const string Math = "math";

    /// <summary>The MATH-500 benchmark shipped in <c>data/math500</c> (evaluation only; a path replaces the shipped file).</summary>
    public const string Math500 = "math500";

    /// <summary>The AIME 2024 benchmark shipped in <c>data/aime24</c> (evaluation only; a path replaces the shipped file).</summary>
    public const string Aime24 = "aime24";

    /// <summary>
    /// Small Python problems with tests (<see cref="CodeDataset"/>), answers run in the code reward's sandbox: the set
    /// shipped in <c>data/code</c>, or a path in the same shape.
    /// </summary>
    public const string Code = "code";

    /// <summary>Every name <see cref="Get"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [Arithmetic, Countdown, Gsm8k, Jsonl, Math, Math500, Aime24, ArithmeticBilingual, Sums, Code];

    /// <summary>
    /// The task called <paramref name="name"/> (case-insensitive). Generated tasks take an optional level range after a
    /// colon: <c>arithmetic:1-2</c> keeps levels 1 and 2, <c>countdown:3</c> only level 3.
    /// </summary>
    /// <param name="name">One of <see cref="Names"/>, for generated tasks optionally followed by <c>:LOW-HIGH</c> or <c>:LEVEL</c>,
    /// and <c>math</c> optionally by <c>:PATH</c> (<c>math:data/my-set</c>), which wins over <paramref name="path"/>.</param>
    /// <param name="path">For file-backed tasks: a dataset folder (with train.jsonl and test.jsonl) or one JSONL file. Ignored by generated tasks.</param>
    /// <param name="jsonl">For <c>jsonl</c>: the fields of the question and the answer (<c>r1.jsonl</c>); the defaults when null.</param>
    /// <returns>The task.</returns>
    public static ITaskSource Get(string name, string? path = null, QaJsonlFields? jsonl = null)
    {
        int colon = name.IndexOf(':');
        string baseName = (colon < 0 ? name : name[..colon]).ToLowerInvariant();
        bool generated = baseName is Arithmetic or ArithmeticBilingual or Countdown or Sums;
        var (low, high) = colon < 0 || !generated ? (GeneratedTask.MinLevel, GeneratedTask.MaxLevel) : Levels(name, name[(colon + 1)..]);
        if (colon >= 0 && !generated)
        {
            if (!Names.Contains(baseName))
                throw new ArgumentException($"Unknown task '{name}'. Known tasks: {string.Join(", ", Names)}.", nameof(name));
            if (baseName != Math)
                throw new ArgumentException($"Task '{name}': only generated tasks ({Arithmetic}, {Countdown}, {Sums}) take a level range, and only {Math} a path (math:PATH).", nameof(name));
            path = name[(colon + 1)..];
            if (path.Length == 0) throw new ArgumentException($"Task '{name}': give the path after the colon ({baseName}:PATH).", nameof(name));
        }
        return baseName switch
        {
            Arithmetic => new ArithmeticTask(low, high),
            ArithmeticBilingual => new ArithmeticTask(low, high, bilingual: true),
            Countdown => new CountdownTask(low, high),
            Sums => new SumsTask(low, high),
            Gsm8k => new FileTaskSource(Gsm8k, RequirePath(name, path), file => Gsm8kDataset.Read(file)),
            Jsonl => new FileTaskSource(Jsonl, RequirePath(name, path), file => QaJsonlDataset.Read(file, fields: jsonl)),
            Math => new FileTaskSource(Math, RequirePath(name, path), file => MathDataset.Read(file)),
            Math500 => new BenchmarkTaskSource(Math500, Shipped(path, "data/math500/test.jsonl"), file => MathDataset.Read(file)),
            Code => new FileTaskSource(Code, Shipped(path, "data/code"), file => CodeDataset.Read(file)),
            Aime24 => new BenchmarkTaskSource(Aime24, Shipped(path, "data/aime24/test.jsonl"), file => MathDataset.Read(file)),
            _ => throw new ArgumentException($"Unknown task '{name}'. Known tasks: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    private static (int Low, int High) Levels(string name, string range)
    {
        var parts = range.Split('-');
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, out int l) && l >= GeneratedTask.MinLevel && l <= GeneratedTask.MaxLevel))
        {
            int low = int.Parse(parts[0]), high = int.Parse(parts[^1]);
            if (low <= high) return (low, high);
        }
        throw new ArgumentException(
            $"Task '{name}': the level range must be LEVEL or LOW-HIGH with {GeneratedTask.MinLevel} <= LOW <= HIGH <= {GeneratedTask.MaxLevel}.", nameof(name));
    }

    // A data set the repository ships, unless the caller names another copy.
    private static string Shipped(string? path, string shipped) =>
        !string.IsNullOrWhiteSpace(path) ? path
        : RepositoryPaths.Resolve(shipped) ?? throw new FileNotFoundException($"the shipped data {shipped} is missing next to the r1 binary and above it", shipped);

    private static string RequirePath(string name, string? path) =>
        string.IsNullOrWhiteSpace(path)
            ? throw new ArgumentException($"Task '{name}' reads files: give the path of its folder or JSONL file.", nameof(path))
            : path;
}
