namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>Which prompt format a policy is trained or served with.</summary>
public enum PromptTemplateKind
{
    /// <summary>The plain-text R1-Zero template of the DeepSeek-R1 paper (base models).</summary>
    R1Zero,

    /// <summary>ChatML as Qwen2.5 uses it.</summary>
    ChatMl,

    /// <summary>DeepSeek-R1's chat format (also used by the R1-Distill models).</summary>
    DeepSeekR1,
}

/// <summary>
/// Prompt strings, character for character as the models were trained on them. A wrong space or
/// newline here is silently out of distribution for a pretrained model, so tests pin every one.
/// </summary>
public static class PromptTemplates
{
    /// <summary>Qwen2.5's default system prompt, used by its chat template when none is given.</summary>
    public const string QwenDefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    /// <summary>DeepSeek's beginning-of-sentence token (full-width bars U+FF5C, word separators U+2581).</summary>
    public const string DeepSeekBos = "<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>";

    /// <summary>DeepSeek's user-turn marker.</summary>
    public const string DeepSeekUser = "<\uFF5CUser\uFF5C>";

    /// <summary>DeepSeek's assistant-turn marker.</summary>
    public const string DeepSeekAssistant = "<\uFF5CAssistant\uFF5C>";

    /// <summary>
    /// The R1-Zero template (DeepSeek-R1 paper, Table 1). The model sees nothing else: no examples,
    /// no system prompt; it must discover the think/answer format on its own.
    /// </summary>
    /// <remarks>The question is inserted verbatim and followed by ". Assistant:", as in the paper.</remarks>
    public static string R1Zero(string prompt) =>
        "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. " +
        "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. " +
        "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, " +
        "i.e., <think> reasoning process here </think> <answer> answer here </answer>. " +
        $"User: {prompt}. Assistant:";

    /// <summary>A single-turn ChatML prompt ending where the assistant starts writing, as Qwen2.5's template renders it.</summary>
    /// <param name="user">The user's message.</param>
    /// <param name="system">The system prompt; null uses <see cref="QwenDefaultSystemPrompt"/>.</param>
    public static string ChatMl(string user, string? system = null) =>
        $"<|im_start|>system\n{system ?? QwenDefaultSystemPrompt}<|im_end|>\n" +
        $"<|im_start|>user\n{user}<|im_end|>\n" +
        "<|im_start|>assistant\n";

    /// <summary>
    /// A single-turn DeepSeek-R1 prompt. It ends with "&lt;think&gt;\n" because R1's template forces the
    /// model to open its reasoning (otherwise it sometimes skips thinking).
    /// </summary>
    /// <param name="user">The user's message.</param>
    /// <param name="system">Optional system prompt, placed right after BOS (R1 recommends none).</param>
    public static string DeepSeekR1(string user, string? system = null) =>
        $"{DeepSeekBos}{system}{DeepSeekUser}{user}{DeepSeekAssistant}<think>\n";

    /// <summary>Formats a question with the template of the given kind.</summary>
    public static string Format(PromptTemplateKind kind, string user, string? system = null) => kind switch
    {
        PromptTemplateKind.R1Zero => R1Zero(user),
        PromptTemplateKind.ChatMl => ChatMl(user, system),
        PromptTemplateKind.DeepSeekR1 => DeepSeekR1(user, system),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown prompt template."),
    };
}
