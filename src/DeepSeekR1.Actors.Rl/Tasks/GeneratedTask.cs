using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// Base of the built-in tasks that generate their questions. A subclass says how to build one question
/// of a level from a seed; this class adds the splits (by <see cref="SplitAssignment"/> on the
/// question's canonical content), the stable ids, and the deterministic sequence of items.
/// </summary>
public abstract class GeneratedTask : ITaskSource
{
    /// <summary>Easiest difficulty level.</summary>
    public const int MinLevel = 1;

    /// <summary>Hardest difficulty level.</summary>
    public const int MaxLevel = 5;

    // Redraws allowed to land in the requested split. The test split holds about one question in ten,
    // so 1,000 redraws fail only if a level has almost no questions in it, which the tests rule out.
    private const int MaxSplitAttempts = 1000;

    /// <summary>A task whose sequences cycle through levels <paramref name="lowestLevel"/>..<paramref name="highestLevel"/>.</summary>
    /// <param name="lowestLevel">Easiest level to produce (1..5).</param>
    /// <param name="highestLevel">Hardest level to produce (lowestLevel..5).</param>
    protected GeneratedTask(int lowestLevel, int highestLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lowestLevel, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(highestLevel, MaxLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lowestLevel, highestLevel);
        LowestLevel = lowestLevel;
        HighestLevel = highestLevel;
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>Easiest level this instance produces in <see cref="Items"/>.</summary>
    public int LowestLevel { get; }

    /// <summary>Hardest level this instance produces in <see cref="Items"/>.</summary>
    public int HighestLevel { get; }

    /// <summary>Start of every item id, for example <c>arith</c>.</summary>
    protected abstract string IdPrefix { get; }

    /// <inheritdoc />
    public IEnumerable<TaskItem> Items(TaskSplit split, ulong seed)
    {
        for (long index = 0; ; index++)
        {
            yield return ItemAt(split, seed, index).Item;
        }
    }

    /// <summary>
    /// The item at <paramref name="index"/> of the sequence <see cref="Items"/> yields. Levels take turns
    /// (index 0 is the lowest level, index 1 the next, ...), so every prefix is balanced across levels.
    /// </summary>
    /// <param name="split">Which split.</param>
    /// <param name="seed">Seed of the sequence.</param>
    /// <param name="index">Zero-based position.</param>
    /// <returns>The item with its solution.</returns>
    public GeneratedItem ItemAt(TaskSplit split, ulong seed, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        int level = LowestLevel + (int)(index % (HighestLevel - LowestLevel + 1));
        return Sample(split, level, Seeds.Derive(seed, index));
    }

    /// <summary>
    /// One question of <paramref name="level"/> in <paramref name="split"/>, fixed by <paramref name="seed"/>:
    /// candidates are drawn from seeds derived from it until one belongs to the split.
    /// </summary>
    /// <param name="split">Which split.</param>
    /// <param name="level">Difficulty, 1..5.</param>
    /// <param name="seed">Seed of the draw.</param>
    /// <returns>The item with its solution.</returns>
    public GeneratedItem Sample(TaskSplit split, int level, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        for (long attempt = 0; attempt < MaxSplitAttempts; attempt++)
        {
            GeneratedItem candidate = Generate(level, Seeds.Derive(seed, attempt));
            if (SplitAssignment.Of(candidate.CanonicalContent) == split)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{Name} level {level} produced no {split} item in {MaxSplitAttempts} draws.");
    }

    /// <summary>The stable id of content at a level: <c>{prefix}-l{level}-{hash}</c>.</summary>
    /// <param name="level">Difficulty level.</param>
    /// <param name="canonicalContent">The question's canonical content.</param>
    /// <returns>The id.</returns>
    protected string IdFor(int level, string canonicalContent) =>
        $"{IdPrefix}-l{level}-{StableHash.Hex(canonicalContent)}";

    /// <summary>Builds one question of <paramref name="level"/> from <paramref name="seed"/>, whatever its split.</summary>
    /// <param name="level">Difficulty, 1..5.</param>
    /// <param name="seed">Seed of the draw; the same seed must give the same question.</param>
    /// <returns>The question with its solution and canonical content.</returns>
    protected abstract GeneratedItem Generate(int level, ulong seed);
}
