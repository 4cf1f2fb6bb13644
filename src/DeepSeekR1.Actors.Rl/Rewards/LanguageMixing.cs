namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// The paper's "language mixing" metric: a chain of thought is mixed when words of a second script make up more
/// than a small share of it. Unlike <see cref="LanguageConsistency"/>, this ignores the prompt's language: a
/// reply wholly in Chinese to an English prompt is inconsistent but not mixed.
/// </summary>
public static class LanguageMixing
{
    /// <summary>The default share of minority-script words above which a text counts as mixed.</summary>
    public const double DefaultMinorityShare = 0.05;

    /// <summary>Whether <paramref name="chainOfThought"/> mixes scripts: its second most used script holds more than <paramref name="minorityShare"/> of its words.</summary>
    /// <param name="chainOfThought">The reasoning text.</param>
    /// <param name="minorityShare">The tolerated share of words in other scripts (quoted terms, names).</param>
    public static bool IsMixed(string? chainOfThought, double minorityShare = DefaultMinorityShare)
    {
        if (string.IsNullOrEmpty(chainOfThought) || chainOfThought.Length > RewardLimits.MaxCompletionChars)
            return false;
        var counts = LanguageConsistency.Count(chainOfThought);
        if (counts.Total == 0)
            return false;
        int[] perScript = [counts.Latin, counts.Cjk, counts.Cyrillic];
        var majority = perScript.Max();
        return (double)(counts.Total - majority) / counts.Total > minorityShare;
    }

    /// <summary>The share of the given chains of thought that mix scripts (0 when there are none).</summary>
    /// <param name="chainsOfThought">One reasoning text per sample.</param>
    /// <param name="minorityShare">As in <see cref="IsMixed"/>.</param>
    public static double Rate(IEnumerable<string?> chainsOfThought, double minorityShare = DefaultMinorityShare)
    {
        ArgumentNullException.ThrowIfNull(chainsOfThought);
        int total = 0, mixed = 0;
        foreach (var text in chainsOfThought)
        {
            total++;
            if (IsMixed(text, minorityShare))
                mixed++;
        }
        return total == 0 ? 0.0 : (double)mixed / total;
    }
}
