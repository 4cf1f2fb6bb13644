namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>Everything the rule rewards found about one completion.</summary>
/// <param name="Accuracy">The accuracy rule's result (final answer vs gold).</param>
/// <param name="Format">The format rule's result.</param>
/// <param name="Language">The language-consistency rule's result.</param>
/// <param name="Total">The weighted total (see <see cref="RewardWeights"/>): the reward GRPO uses.</param>
/// <param name="Extraction">The extracted final answer (used by evaluation for majority voting), with where it came from.</param>
public sealed record RewardBreakdown(
    RewardResult Accuracy,
    RewardResult Format,
    RewardResult Language,
    double Total,
    AnswerExtraction Extraction)
{
    /// <summary>The extracted final answer, or null when none was found.</summary>
    public string? Answer => Extraction.Answer;

    /// <summary>Whether the answer was judged correct.</summary>
    public bool IsCorrect => Accuracy.Value >= 1.0;
}
