using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Safety;
using DeepSeekR1.Actors.Serving.Chat;
using DeepSeekR1.Actors.Serving.Generation;

namespace DeepSeekR1.Actors.Serving.RiskControl;

/// <summary>
/// Reviews with the served policy itself: the risk-review prompt (<see cref="RiskReviewPrompt"/>) goes through the same
/// generator as the users' requests (greedy, a few tokens), and the verdict is read from the first word. A model that
/// was never taught to review (the tiny built-in ones) gives no clear verdict, and an unclear verdict withdraws.
/// </summary>
public sealed class PolicyReviewer(BatchingGenerator generator, IPolicyTokenizer tokenizer, SamplingOptions sampling, int maxNewTokens) : IRiskReviewer
{
    /// <inheritdoc />
    public async Task<RiskReview> ReviewAsync(IReadOnlyList<ChatMessage> conversation, string answer, CancellationToken cancellation)
    {
        string prompt = RiskReviewPrompt.Format(conversation.Select(m => (m.Role, m.Content)), answer);
        var ids = tokenizer.Encode(prompt);
        int room = generator.ContextLength - ids.Count;
        if (room < 1) return new RiskReview(true, "policy", "the conversation is too long to review: withdrawn to be safe");
        var options = sampling with { Temperature = 0, TopP = 1, TopK = 0, MaxNewTokens = Math.Min(maxNewTokens, room) };
        var result = await generator.Submit(ids, options, seed: 0).Result.WaitAsync(cancellation).ConfigureAwait(false);
        return RiskReviewPrompt.Read(tokenizer.Decode(result.TokenIds, skipSpecialTokens: true), "policy");
    }
}
