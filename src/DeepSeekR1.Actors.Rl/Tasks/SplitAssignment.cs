using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// Decides the split of an item from a stable hash of its canonical content (for example the expression
/// of an arithmetic question, or the sorted numbers and target of a Countdown puzzle). Because the
/// decision depends on the content alone, not on the seed or position that produced the item, no seed
/// can ever put a held-out question into the training data.
/// </summary>
public static class SplitAssignment
{
    /// <summary>One item in this many is held out for testing.</summary>
    public const int HeldOutOneIn = 10;

    // A fixed salt keeps the split decision independent of the hash used for item ids.
    private const string Salt = "split/v1:";

    /// <summary>The split that content belongs to.</summary>
    /// <param name="canonicalContent">What makes two items the same question, in one fixed spelling.</param>
    /// <returns><see cref="TaskSplit.Test"/> for about one item in <see cref="HeldOutOneIn"/>, otherwise <see cref="TaskSplit.Train"/>.</returns>
    public static TaskSplit Of(string canonicalContent) =>
        StableHash.Of(Salt + canonicalContent) % HeldOutOneIn == 0 ? TaskSplit.Test : TaskSplit.Train;
}
