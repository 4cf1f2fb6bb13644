namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>One supervised fine-tuning example: the model is trained to continue <paramref name="Prompt"/> with <paramref name="Completion"/>.</summary>
/// <param name="Id">Stable identifier: the line's <c>id</c>, or <c>{file name}-{line}</c>.</param>
/// <param name="Prompt">The input the model sees (loss is not taken on it).</param>
/// <param name="Completion">The target continuation (for cold start, a long chain of thought and answer).</param>
public sealed record SftPair(string Id, string Prompt, string Completion);
