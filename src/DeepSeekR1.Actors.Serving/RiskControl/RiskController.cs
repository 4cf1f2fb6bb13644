using DeepSeekR1.Actors.Rl.Safety;
using DeepSeekR1.Actors.Serving.Chat;

namespace DeepSeekR1.Actors.Serving.RiskControl;

/// <summary>One risk review, as logged.</summary>
/// <param name="Keywords">The keywords the user turns matched.</param>
/// <param name="Review">The reviewer's decision.</param>
/// <param name="Answer">The answer that was reviewed (withheld from the user when withdrawn).</param>
public sealed record RiskEvent(IReadOnlyList<string> Keywords, RiskReview Review, string Answer);

/// <summary>
/// DeepSeek-R1's risk control around the served model: user turns are matched against the keyword list; only a hit is
/// reviewed, and a withdrawn answer is replaced by the refusal. Every review is reported to the log.
/// </summary>
public sealed class RiskController(RiskKeywords keywords, IRiskReviewer reviewer, string refusal, bool enabledByDefault, Action<RiskEvent>? log = null)
{
    private long _reviews, _withdrawn;

    /// <summary>Whether a request that does not say is checked.</summary>
    public bool EnabledByDefault => enabledByDefault;

    /// <summary>What a withdrawn answer becomes.</summary>
    public string Refusal => refusal;

    /// <summary>Reviews run so far.</summary>
    public long Reviews => Interlocked.Read(ref _reviews);

    /// <summary>Answers withdrawn so far.</summary>
    public long Withdrawn => Interlocked.Read(ref _withdrawn);

    /// <summary>The keywords the user turns of <paramref name="conversation"/> match (empty: no review needed).</summary>
    public IReadOnlyList<string> Flag(IReadOnlyList<ChatMessage> conversation) =>
        conversation.Where(m => m.Role == "user").SelectMany(m => keywords.Match(m.Content)).Distinct().ToArray();

    /// <summary>Reviews a flagged answer; returns the text the user gets and whether it was withdrawn.</summary>
    public async Task<(string Text, bool Withdrawn, RiskReview Review)> ReviewAsync(IReadOnlyList<ChatMessage> conversation, string answer,
        IReadOnlyList<string> hits, CancellationToken cancellation)
    {
        var review = await reviewer.ReviewAsync(conversation, answer, cancellation).ConfigureAwait(false);
        Interlocked.Increment(ref _reviews);
        if (review.Withdraw) Interlocked.Increment(ref _withdrawn);
        log?.Invoke(new RiskEvent(hits, review, answer));
        return (review.Withdraw ? refusal : answer, review.Withdraw, review);
    }
}
