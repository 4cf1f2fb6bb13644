namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// A file-backed task without the questions that do not fit (a prompt longer than the model's context allows). The
/// check runs once, over both splits, when the task is built; afterwards filtering is a set lookup on the question
/// text, so every later enumeration (the training pool, the held-out evaluation, every node of a cluster that builds
/// the task the same way) sees the same questions.
/// </summary>
public sealed class FittedTaskSource : ITaskSource
{
    private readonly ITaskSource inner;
    private readonly HashSet<string> unfit;

    private FittedTaskSource(ITaskSource inner, HashSet<string> unfit, IReadOnlyDictionary<TaskSplit, SplitFit> splits)
    {
        this.inner = inner;
        this.unfit = unfit;
        Splits = splits;
    }

    /// <summary>What the check found per split.</summary>
    public IReadOnlyDictionary<TaskSplit, SplitFit> Splits { get; }

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public bool HasGeneralPrompts => inner.HasGeneralPrompts;

    /// <summary>Checks every question of both splits of <paramref name="inner"/> with <paramref name="fits"/>.</summary>
    public static FittedTaskSource Check(ITaskSource inner, Func<TaskItem, bool> fits, ulong seed)
    {
        var unfit = new HashSet<string>(StringComparer.Ordinal);
        var splits = new Dictionary<TaskSplit, SplitFit>();
        foreach (var split in new[] { TaskSplit.Train, TaskSplit.Test })
        {
            int total = 0, skipped = 0;
            string? first = null;
            foreach (var item in inner.Items(split, seed))
            {
                total++;
                if (fits(item)) continue;
                skipped++;
                first ??= item.Id;
                unfit.Add(item.Question);
            }
            splits[split] = new SplitFit(total, skipped, first);
        }
        return new FittedTaskSource(inner, unfit, splits);
    }

    /// <inheritdoc />
    public IEnumerable<TaskItem> Items(TaskSplit split, ulong seed) =>
        unfit.Count == 0 ? inner.Items(split, seed) : inner.Items(split, seed).Where(item => !unfit.Contains(item.Question));
}

/// <summary>The questions of one split, and those left out because they do not fit.</summary>
/// <param name="Total">Questions in the split.</param>
/// <param name="Skipped">Questions left out.</param>
/// <param name="FirstSkipped">The id of the first one left out, to find it in the file.</param>
public sealed record SplitFit(int Total, int Skipped, string? FirstSkipped);
