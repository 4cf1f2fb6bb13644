using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// How a question becomes prompt tokens, the same way everywhere (pretraining corpus, SFT, RL rollouts, evaluation):
/// the R1-Zero template around the question, encoded as text with no begin-of-sequence token added (as Qwen does; a
/// template that wants one writes it as text, like DeepSeek's). The model's completion follows "Assistant:" directly
/// and ends with the end-of-sequence token.
/// </summary>
public static class PromptFormat
{
    /// <summary>The templated prompt text of <paramref name="item"/>.</summary>
    public static string Text(TaskItem item) => PromptTemplates.R1Zero(item.Question);

    /// <summary>The prompt's token ids.</summary>
    public static IReadOnlyList<int> Encode(IPolicyTokenizer tokenizer, TaskItem item) => Encode(tokenizer, Text(item));

    /// <summary>The token ids of an already templated prompt.</summary>
    public static IReadOnlyList<int> Encode(IPolicyTokenizer tokenizer, string promptText) => tokenizer.Encode(promptText);

    /// <summary>A completion's token ids for supervised training: its text, then the end-of-sequence token.</summary>
    public static IReadOnlyList<int> EncodeCompletion(IPolicyTokenizer tokenizer, string completion) =>
        [.. tokenizer.Encode(completion), tokenizer.EosId];

    /// <summary>The text of sampled completion ids, without the end-of-sequence or padding tokens (what rewards read).</summary>
    public static string DecodeCompletion(IPolicyTokenizer tokenizer, IReadOnlyList<int> ids) => tokenizer.Decode(ids, skipSpecialTokens: true);
}
