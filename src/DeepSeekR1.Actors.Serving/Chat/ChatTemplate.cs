using System.Text;
using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Serving.Chat;

/// <summary>
/// Renders a conversation into the prompt text a checkpoint was trained on (<see cref="PromptTemplates"/>), extended to
/// several turns the way each format does it: earlier turns in full, the prompt ending where the assistant writes.
/// </summary>
public static class ChatTemplate
{
    /// <summary>
    /// The template of a tokenizer: ChatML when it has <c>&lt;|im_start|&gt;</c>, DeepSeek-R1's when it has DeepSeek's
    /// user marker, else R1-Zero (the plain-text template the built-in models learn).
    /// </summary>
    public static PromptTemplateKind Resolve(ChatTemplateChoice choice, IPolicyTokenizer tokenizer) => choice switch
    {
        ChatTemplateChoice.R1Zero => PromptTemplateKind.R1Zero,
        ChatTemplateChoice.ChatMl => PromptTemplateKind.ChatMl,
        ChatTemplateChoice.DeepSeekR1 => PromptTemplateKind.DeepSeekR1,
        _ when tokenizer.TokenToId("<|im_start|>") is not null => PromptTemplateKind.ChatMl,
        _ when tokenizer.TokenToId(PromptTemplates.DeepSeekUser) is not null => PromptTemplateKind.DeepSeekR1,
        _ => PromptTemplateKind.R1Zero,
    };

    /// <summary>The prompt for <paramref name="messages"/> (at least one user message; the last message must be the user's).</summary>
    public static string Render(PromptTemplateKind kind, IReadOnlyList<ChatMessage> messages)
    {
        if (messages.Count == 0 || messages[^1].Role != "user") throw new ArgumentException("the last message must be the user's", nameof(messages));
        string? system = messages[0].Role == "system" ? messages[0].Content : null;
        var turns = messages.Where(m => m.Role != "system").ToList();
        return kind switch
        {
            PromptTemplateKind.ChatMl => ChatMl(system, turns),
            PromptTemplateKind.DeepSeekR1 => DeepSeekR1(system, turns),
            _ => R1Zero(turns),
        };
    }

    // The R1-Zero template holds one question; earlier turns go before the last question as "User: ... Assistant: ...".
    // A system message has no place in it and is left out (the paper's template has none).
    private static string R1Zero(IReadOnlyList<ChatMessage> turns)
    {
        string single = PromptTemplates.R1Zero(turns[^1].Content);
        if (turns.Count == 1) return single;
        var earlier = new StringBuilder();
        foreach (var m in turns.Take(turns.Count - 1))
            earlier.Append(m.Role == "user" ? $"User: {m.Content}. " : $"Assistant: {m.Content} ");
        int at = single.LastIndexOf("User: ", StringComparison.Ordinal);
        return single[..at] + earlier + single[at..];
    }

    private static string ChatMl(string? system, IReadOnlyList<ChatMessage> turns)
    {
        var text = new StringBuilder($"<|im_start|>system\n{system ?? PromptTemplates.QwenDefaultSystemPrompt}<|im_end|>\n");
        foreach (var m in turns) text.Append($"<|im_start|>{m.Role}\n{m.Content}<|im_end|>\n");
        return text.Append("<|im_start|>assistant\n").ToString();
    }

    private static string DeepSeekR1(string? system, IReadOnlyList<ChatMessage> turns)
    {
        var text = new StringBuilder(PromptTemplates.DeepSeekBos).Append(system);
        foreach (var m in turns)
            text.Append(m.Role == "user" ? PromptTemplates.DeepSeekUser + m.Content
                                         : PromptTemplates.DeepSeekAssistant + m.Content + "<\uFF5Cend\u2581of\u2581sentence\uFF5C>");
        return text.Append(PromptTemplates.DeepSeekAssistant).Append("<think>\n").ToString();
    }
}
