using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// Splits reward-model data into training and held-out parts by prompt: every line with the same prompt lands on the
/// same side (a prompt seen in training would flatter the held-out accuracy), decided by a hash of (seed, prompt) so the
/// split is the same on every run and does not depend on file order.
/// </summary>
public static class HeldOutSplit
{
    /// <summary>True when <paramref name="prompt"/> belongs to the held-out part.</summary>
    public static bool IsHeldOut(string prompt, double share, long seed) =>
        share > 0 && Seeds.Mix(StableHash.Of(prompt) ^ (ulong)seed) % 1_000_000 < (ulong)(share * 1_000_000);

    /// <summary>Partitions <paramref name="items"/> by their prompt.</summary>
    public static (List<T> Train, List<T> HeldOut) Split<T>(IEnumerable<T> items, Func<T, string> prompt, double share, long seed)
    {
        var train = new List<T>();
        var heldOut = new List<T>();
        foreach (var item in items) (IsHeldOut(prompt(item), share, seed) ? heldOut : train).Add(item);
        return (train, heldOut);
    }
}
