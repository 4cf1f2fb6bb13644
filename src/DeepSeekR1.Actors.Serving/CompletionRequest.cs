using DeepSeekR1.Actors.Serving.Chat;

namespace DeepSeekR1.Actors.Serving;

/// <summary>A parsed request of either endpoint: chat (<see cref="Messages"/>) or raw completion (<see cref="Prompt"/>).</summary>
/// <param name="Messages">The conversation (chat completions), or null.</param>
/// <param name="Prompt">The raw prompt text (completions: no template), or null.</param>
/// <param name="MaxTokens">max_tokens, or null for r1.sampling's.</param>
/// <param name="Temperature">temperature, or null for r1.sampling's.</param>
/// <param name="TopP">top_p, or null for r1.sampling's.</param>
/// <param name="Seed">seed, or null for one drawn per request.</param>
/// <param name="RiskControl">risk_control (our extension), or null for r1.risk-control.enabled.</param>
/// <param name="Stream">Whether the answer is streamed as server-sent events.</param>
public sealed record CompletionRequest(IReadOnlyList<ChatMessage>? Messages, string? Prompt, int? MaxTokens, double? Temperature,
    double? TopP, ulong? Seed, bool? RiskControl, bool Stream)
{
    /// <summary>The conversation risk control reads: the messages, or the raw prompt as one user turn.</summary>
    public IReadOnlyList<ChatMessage> Conversation => Messages ?? [new ChatMessage("user", Prompt ?? "")];
}

/// <summary>A piece of a completion as it is produced.</summary>
/// <param name="Text">Text to append (empty on the final event).</param>
/// <param name="Final">The outcome, on the last event only.</param>
public sealed record CompletionEvent(string Text, CompletionOutcome? Final);

/// <summary>How a completion ended.</summary>
/// <param name="Text">The whole text the user got.</param>
/// <param name="FinishReason">stop or length (OpenAI's names).</param>
/// <param name="PromptTokens">Tokens of the rendered prompt.</param>
/// <param name="CompletionTokens">Tokens the model generated (those of a withdrawn answer included).</param>
/// <param name="Withdrawn">Whether risk control replaced the answer by the refusal.</param>
/// <param name="RiskKeywords">The keywords that sent it to review (empty: not reviewed).</param>
public sealed record CompletionOutcome(string Text, string FinishReason, int PromptTokens, int CompletionTokens, bool Withdrawn,
    IReadOnlyList<string> RiskKeywords);
