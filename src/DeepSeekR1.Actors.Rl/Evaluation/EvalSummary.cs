using System.Text.Json.Serialization;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>The figures of an evaluation over a set of questions (all of them, or one difficulty level).</summary>
/// <param name="Questions">Questions evaluated.</param>
/// <param name="Completions">Completions sampled (questions times K).</param>
/// <param name="Correct">Correct completions.</param>
/// <param name="PassAt1">Mean over questions of the unbiased pass@1 estimate (correct / samples).</param>
/// <param name="PassAtK">Mean over questions of pass@K: the share with at least one correct sample.</param>
/// <param name="ConsAtK">Share of questions whose majority-vote answer is correct.</param>
/// <param name="FormatRate">Share of completions that follow the think/answer format.</param>
/// <param name="AnswerRate">Share of completions with an extractable final answer.</param>
/// <param name="TruncatedRate">Share of completions cut off by the token limit.</param>
/// <param name="MeanCompletionTokens">Mean sampled tokens per completion: the paper's response length.</param>
public sealed record EvalSummary(
    [property: JsonPropertyName("questions")] int Questions,
    [property: JsonPropertyName("completions")] int Completions,
    [property: JsonPropertyName("correct")] int Correct,
    [property: JsonPropertyName("pass_at_1")] double PassAt1,
    [property: JsonPropertyName("pass_at_k")] double PassAtK,
    [property: JsonPropertyName("cons_at_k")] double ConsAtK,
    [property: JsonPropertyName("format_rate")] double FormatRate,
    [property: JsonPropertyName("answer_rate")] double AnswerRate,
    [property: JsonPropertyName("truncated_rate")] double TruncatedRate,
    [property: JsonPropertyName("mean_completion_tokens")] double MeanCompletionTokens)
{
    /// <summary>
    /// pass@k for every k from 1 to the fewest samples any question has (entry k-1), each the mean over questions of
    /// the unbiased estimator; empty when there are no questions. The curve the paper's pass@k figures plot.
    /// </summary>
    [JsonPropertyName("pass_at")]
    public IReadOnlyList<double> PassAtEachK { get; init; } = [];

    /// <summary>Summarises <paramref name="questions"/> (all of them with the same number of samples, K).</summary>
    /// <param name="questions">The scored questions.</param>
    /// <returns>The summary; all rates are 0 when there are no questions.</returns>
    public static EvalSummary Of(IReadOnlyCollection<QuestionResult> questions)
    {
        ArgumentNullException.ThrowIfNull(questions);
        var samples = questions.SelectMany(q => q.Samples).ToArray();
        int kMax = questions.Count == 0 ? 0 : questions.Min(q => q.Samples.Count);
        return new EvalSummary(
            Questions: questions.Count,
            Completions: samples.Length,
            Correct: samples.Count(s => s.IsCorrect),
            PassAt1: Mean(questions, q => q.PassAt1),
            PassAtK: Mean(questions, q => Evaluation.PassAtK.Estimate(q.Samples.Count, q.Correct, q.Samples.Count)),
            ConsAtK: Mean(questions, q => q.Consensus.IsCorrect ? 1 : 0),
            FormatRate: Mean(samples, s => s.Formatted ? 1 : 0),
            AnswerRate: Mean(samples, s => s.Answer is null ? 0 : 1),
            TruncatedRate: Mean(samples, s => s.Finish == FinishReason.Length ? 1 : 0),
            MeanCompletionTokens: Mean(samples, s => s.Tokens))
        {
            PassAtEachK = Enumerable.Range(1, kMax).Select(k => Mean(questions, q => Evaluation.PassAtK.Estimate(q.Samples.Count, q.Correct, k))).ToArray(),
        };
    }

    /// <summary>Equal when every figure is, the pass@k curve compared entry by entry (a list compares by reference otherwise).</summary>
    public bool Equals(EvalSummary? other) =>
        other is not null && (Questions, Completions, Correct, PassAt1, PassAtK, ConsAtK, FormatRate, AnswerRate, TruncatedRate, MeanCompletionTokens)
            .Equals((other.Questions, other.Completions, other.Correct, other.PassAt1, other.PassAtK, other.ConsAtK, other.FormatRate, other.AnswerRate,
                other.TruncatedRate, other.MeanCompletionTokens))
        && PassAtEachK.SequenceEqual(other.PassAtEachK);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Questions, Completions, Correct, PassAt1, PassAtK, ConsAtK, PassAtEachK.Count);

    private static double Mean<T>(IReadOnlyCollection<T> items, Func<T, double> value) =>
        items.Count == 0 ? 0 : items.Sum(value) / items.Count;
}
