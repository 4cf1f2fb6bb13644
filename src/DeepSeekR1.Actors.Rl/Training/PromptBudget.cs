using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// How long a prompt may be: the model's context less the completion's room (the generator refuses a batch whose
/// longest prompt plus <c>max-new-tokens</c> passes <c>max-position-embeddings</c>). Checked when the data loads, so
/// one long question is a counted warning there rather than a batch that fails on every sampler forever.
/// </summary>
/// <param name="Tokenizer">The policy's tokenizer.</param>
/// <param name="MaxPositions">The model's <c>max-position-embeddings</c>.</param>
/// <param name="MaxNewTokens">The sampling budget of a completion.</param>
public sealed record PromptBudget(IPolicyTokenizer Tokenizer, int MaxPositions, int MaxNewTokens)
{
    /// <summary>The longest prompt, in tokens, that leaves room for a whole completion.</summary>
    public int MaxPromptTokens => MaxPositions - MaxNewTokens;

    /// <summary>The prompt length of <paramref name="item"/> in tokens, template included.</summary>
    public int Tokens(TaskItem item) => PromptFormat.Encode(Tokenizer, item).Count;

    /// <summary>Whether <paramref name="item"/>'s prompt fits with a whole completion after it.</summary>
    public bool Fits(TaskItem item) => Tokens(item) <= MaxPromptTokens;
}
