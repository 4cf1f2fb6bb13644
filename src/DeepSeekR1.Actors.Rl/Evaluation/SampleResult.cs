using System.Text.Json.Serialization;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>One sampled completion of an evaluation question, as scored.</summary>
/// <param name="Text">The completion, decoded without special tokens.</param>
/// <param name="Answer">The extracted final answer, or null when there was none.</param>
/// <param name="IsCorrect">Whether the answer matched the gold answer.</param>
/// <param name="Formatted">Whether the completion followed the think/answer format.</param>
/// <param name="Tokens">Sampled tokens, the stop token included.</param>
/// <param name="Finish">Whether it stopped on its own or ran into the token limit.</param>
/// <param name="Reason">The verifier's reason for its verdict.</param>
/// <param name="LanguageConsistency">Share of the chain of thought in the question's language (0 without a think section).</param>
public sealed record SampleResult(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("answer")] string? Answer,
    [property: JsonPropertyName("correct")] bool IsCorrect,
    [property: JsonPropertyName("formatted")] bool Formatted,
    [property: JsonPropertyName("tokens")] int Tokens,
    [property: JsonPropertyName("finish"), JsonConverter(typeof(JsonStringEnumConverter<FinishReason>))] FinishReason Finish,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("language_consistency")] double LanguageConsistency);
