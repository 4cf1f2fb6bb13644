namespace DeepSeekR1.Actors.Rl.Analysis;

/// <summary>
/// Accumulates one step's completions into a <see cref="StepAnalysis"/> without keeping them: only sums and counts,
/// so replaying a long run holds a few numbers per step instead of every completion's text.
/// </summary>
public sealed class StepAnalysisBuilder
{
    private readonly long[] wordCounts = new long[ReflectiveWords.Words.Count];
    private readonly SortedDictionary<int, (int Total, int Correct, int Reflecting, int ReflectingCorrect)> levels = [];
    private int completions;
    private int correct;
    private int mixed;
    private int reflecting;
    private int reflectingCorrect;
    private long tokens;
    private double rewardSum;

    /// <summary>Adds one completion (the caller makes sure each is added once).</summary>
    /// <param name="completion">The completion.</param>
    public StepAnalysisBuilder Add(CompletionRecord completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        completions++;
        tokens += completion.Tokens;
        rewardSum += completion.Reward;
        if (completion.Correct) correct++;
        if (Rewards.LanguageMixing.IsMixed(StepAnalysis.ChainOfThought(completion.Completion))) mixed++;
        var counts = ReflectiveWords.Count(completion.Completion);
        for (int i = 0; i < counts.Length; i++) wordCounts[i] += counts[i];
        // Does checking pay? The accuracy of completions that reflect against those that do not, step by step.
        bool reflects = counts.Any(c => c > 0);
        if (reflects)
        {
            reflecting++;
            if (completion.Correct) reflectingCorrect++;
        }
        var (total, right, levelReflecting, levelReflectingRight) = levels.GetValueOrDefault(completion.Level);
        int one(bool b) => b ? 1 : 0;
        levels[completion.Level] = (total + 1, right + one(completion.Correct), levelReflecting + one(reflects), levelReflectingRight + one(reflects && completion.Correct));
        return this;
    }

    // Reflection is chosen more on hard questions, so its raw accuracy is compared with easier ones. Over the levels that
    // have both kinds, the reflecting completions' accuracy, and the accuracy the others have on the same mix of levels
    // (each level's non-reflecting accuracy weighted by how many reflecting completions it has).
    private (double With, double Without) MatchedByLevel()
    {
        var both = levels.Values.Where(l => l.Reflecting > 0 && l.Total - l.Reflecting > 0).ToArray();
        int weight = both.Sum(l => l.Reflecting);
        if (weight == 0) return (double.NaN, double.NaN);
        double with = (double)both.Sum(l => l.ReflectingCorrect) / weight;
        double without = both.Sum(l => l.Reflecting * (double)(l.Correct - l.ReflectingCorrect) / (l.Total - l.Reflecting)) / weight;
        return (with, without);
    }

    /// <summary>The analysis of the completions added so far.</summary>
    public StepAnalysis Build()
    {
        // Normalised by tokens, not completions: longer answers naturally hold more words, and the paper's point is
        // that reflection grows faster than length.
        double Per1000(long count) => tokens == 0 ? 0.0 : count * 1000.0 / tokens;
        double Share(double part) => completions == 0 ? double.NaN : part / completions;
        return new StepAnalysis(
            Completions: completions,
            CompletionTokens: tokens,
            RewardMean: Share(rewardSum),
            Accuracy: Share(correct),
            ResponseTokensMean: Share(tokens),
            LanguageMixing: completions == 0 ? 0.0 : (double)mixed / completions,
            ReflectivePer1000: Per1000(wordCounts.Sum()),
            WordPer1000: wordCounts.Select(Per1000).ToArray(),
            AccuracyByLevel: levels.ToDictionary(l => l.Key, l => (double)l.Value.Correct / l.Value.Total),
            ReflectionMatched: MatchedByLevel(),
            ReflectionShare: completions == 0 ? 0.0 : (double)reflecting / completions,
            AccuracyWithReflection: reflecting == 0 ? double.NaN : (double)reflectingCorrect / reflecting,
            AccuracyWithoutReflection: completions - reflecting == 0 ? double.NaN : (double)(correct - reflectingCorrect) / (completions - reflecting));
    }
}
