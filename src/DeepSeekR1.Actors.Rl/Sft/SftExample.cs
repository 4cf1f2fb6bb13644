namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>One tokenized training example: the model reads the prompt and is trained to write the completion.</summary>
/// <param name="PromptIds">The prompt's token ids (no loss is taken on them).</param>
/// <param name="CompletionIds">The target token ids, ending with the end-of-sequence id so the model learns to stop.</param>
public sealed record SftExample(IReadOnlyList<int> PromptIds, IReadOnlyList<int> CompletionIds)
{
    /// <summary>Prompt plus completion length.</summary>
    public int Length => PromptIds.Count + CompletionIds.Count;
}
