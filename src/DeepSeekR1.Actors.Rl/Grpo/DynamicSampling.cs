namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// DAPO's dynamic sampling: a group in which every output got the same reward (all solved or all failed) has
/// all-zero advantages, so it adds tokens to the batch without adding gradient. Dropping such groups (and
/// sampling more questions to refill the batch) keeps the effective batch size constant.
/// </summary>
public static class DynamicSampling
{
    /// <summary>Whether a group carries learning signal: it has at least two rewards that differ.</summary>
    /// <param name="rewards">The rewards of one group.</param>
    /// <returns><c>false</c> for an empty group or one whose rewards are all exactly equal.</returns>
    public static bool KeepGroup(IReadOnlyList<double> rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        for (var i = 1; i < rewards.Count; i++)
        {
            // Exact comparison on purpose: rule rewards are exact values, and any real difference is signal.
            if (rewards[i] != rewards[0])
            {
                return true;
            }
        }

        return false;
    }
}
