using DeepSeekR1.Actors.Rl.Safety;
using DeepSeekR1.Actors.Serving.Chat;

namespace DeepSeekR1.Actors.Serving.RiskControl;

/// <summary>The second stage of risk control: a model that decides whether a flagged answer is withdrawn.</summary>
public interface IRiskReviewer
{
    /// <summary>Reviews <paramref name="answer"/> to <paramref name="conversation"/>.</summary>
    Task<RiskReview> ReviewAsync(IReadOnlyList<ChatMessage> conversation, string answer, CancellationToken cancellation);
}
