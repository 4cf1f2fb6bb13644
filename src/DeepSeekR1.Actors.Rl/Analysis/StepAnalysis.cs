using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Analysis;

/// <summary>
/// The paper's per-step analyses of one step's completions: accuracy and mean reward, response length, reflective
/// words per 1,000 completion tokens (total and per word), the rate of language mixing, and accuracy per difficulty
/// level. Build it with <see cref="Of"/>.
/// </summary>
/// <param name="Completions">Completions analysed.</param>
/// <param name="CompletionTokens">Their tokens, summed.</param>
/// <param name="RewardMean">Mean total reward (NaN without completions).</param>
/// <param name="Accuracy">Share of completions judged correct (NaN without completions).</param>
/// <param name="ResponseTokensMean">Mean completion length in tokens (NaN without completions).</param>
/// <param name="LanguageMixing">Share of completions whose chain of thought mixes scripts (see <see cref="Rewards.LanguageMixing"/>).</param>
/// <param name="ReflectivePer1000">All ten reflective words per 1,000 completion tokens.</param>
/// <param name="WordPer1000">Each reflective word per 1,000 completion tokens, in the order of <see cref="ReflectiveWords.Words"/>.</param>
/// <param name="AccuracyByLevel">Accuracy per difficulty level, for the levels that occur (0 = unknown level).</param>
/// <param name="ReflectionShare">Share of completions holding at least one reflective word (0 without completions).</param>
/// <param name="AccuracyWithReflection">Accuracy of the completions that reflect (NaN when none does).</param>
/// <param name="AccuracyWithoutReflection">Accuracy of the completions that do not (NaN when all do).</param>
/// <param name="ReflectionMatched">
/// The same comparison at equal difficulty: over the levels that have completions of both kinds, the accuracy of the
/// reflecting ones, and the accuracy of the others on the same mix of levels (NaN, NaN when no level has both). A
/// policy that reflects mostly on hard questions looks worse for it in the raw comparison; this one does not.
/// </param>
public sealed record StepAnalysis(
    int Completions, long CompletionTokens, double RewardMean, double Accuracy, double ResponseTokensMean, double LanguageMixing,
    double ReflectivePer1000, IReadOnlyList<double> WordPer1000, IReadOnlyDictionary<int, double> AccuracyByLevel,
    double ReflectionShare, double AccuracyWithReflection, double AccuracyWithoutReflection,
    (double With, double Without) ReflectionMatched)
{
    /// <summary>Analyses one step's completions (see <see cref="StepAnalysisBuilder"/> to add them one at a time).</summary>
    /// <param name="completions">Every completion of the step, each once.</param>
    public static StepAnalysis Of(IEnumerable<CompletionRecord> completions)
    {
        ArgumentNullException.ThrowIfNull(completions);
        var builder = new StepAnalysisBuilder();
        foreach (var c in completions) builder.Add(c);
        return builder.Build();
    }

    /// <summary>
    /// The text whose language mixing is judged: the chain of thought when the completion has one, else the whole
    /// completion (early in training the model has not learned the tags yet, and its prose can mix all the same).
    /// </summary>
    /// <param name="completion">The completion.</param>
    public static string ChainOfThought(string completion) => FormatReward.ThinkContent(completion) ?? completion;
}
