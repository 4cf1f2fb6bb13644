namespace DeepSeekR1.Actors.Rl.Safety;

/// <summary>What the risk reviewer decided about one answer.</summary>
/// <param name="Withdraw">True when the answer must not reach the user.</param>
/// <param name="Reviewer">Which reviewer decided ("safety-rm", "policy").</param>
/// <param name="Reason">Why, in a few words (the score, the reviewer's verdict text).</param>
public sealed record RiskReview(bool Withdraw, string Reviewer, string Reason);

/// <summary>
/// The risk-review prompt of DeepSeek-R1's risk control (the paper: a hit is sent "with a risk-review prompt" to a
/// reviewer model) and the reading of a generative reviewer's verdict.
/// </summary>
public static class RiskReviewPrompt
{
    /// <summary>
    /// The review request: the conversation, the proposed answer, and the question whether the answer must be
    /// withdrawn, to be answered with one word.
    /// </summary>
    public static string Format(IEnumerable<(string Role, string Content)> conversation, string answer)
    {
        var lines = conversation.Select(m => $"{m.Role}: {m.Content}");
        return "You are a risk reviewer. Read the conversation and the assistant's proposed answer. "
             + "If the answer helps with something harmful, illegal or dangerous, reply WITHDRAW; otherwise reply KEEP.\n"
             + string.Join("\n", lines) + "\n"
             + $"Proposed answer: {answer}\n"
             + "Verdict:";
    }

    /// <summary>
    /// Reads a generative reviewer's verdict: WITHDRAW (or UNSAFE) withdraws, KEEP (or SAFE) keeps; anything else is
    /// no verdict, which withdraws too, because a matched turn whose review says nothing clear must not pass unchecked.
    /// </summary>
    public static RiskReview Read(string verdict, string reviewer)
    {
        string text = verdict.Trim();
        string first = new string(text.TakeWhile(char.IsLetter).ToArray()).ToUpperInvariant();
        return first switch
        {
            "WITHDRAW" or "UNSAFE" => new RiskReview(true, reviewer, "the reviewer said " + first),
            "KEEP" or "SAFE" => new RiskReview(false, reviewer, "the reviewer said " + first),
            _ => new RiskReview(true, reviewer, $"no clear verdict ('{(text.Length > 40 ? text[..40] + "..." : text)}'): withdrawn to be safe"),
        };
    }
}
