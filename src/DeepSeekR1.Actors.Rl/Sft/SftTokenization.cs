using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>Turns text pairs into <see cref="SftExample"/>s the way a rollout sees them.</summary>
public static class SftTokenization
{
    /// <summary>
    /// Encodes prompt and completion separately and appends EOS to the completion (unless it already ends with it).
    /// Separate encoding matters: at generation time the prompt is encoded alone and the completion is whatever
    /// tokens follow, so a merge across the boundary would teach the model a split it never meets.
    /// </summary>
    public static SftExample Encode(IPolicyTokenizer tokenizer, string prompt, string completion)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var promptIds = tokenizer.Encode(prompt);
        var completionIds = tokenizer.Encode(completion).ToList();
        if (completionIds.Count == 0 || completionIds[^1] != tokenizer.EosId) completionIds.Add(tokenizer.EosId);
        return new SftExample(promptIds, completionIds);
    }

    /// <summary>Encodes a pair read from an SFT JSONL file.</summary>
    public static SftExample Encode(IPolicyTokenizer tokenizer, SftPair pair) => Encode(tokenizer, pair.Prompt, pair.Completion);
}
