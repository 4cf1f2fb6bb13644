namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// The R1-Zero format reward: the completion must be <c>&lt;think&gt; ... &lt;/think&gt; &lt;answer&gt; ... &lt;/answer&gt;</c>,
/// each tag exactly once, in that order, with nothing but whitespace outside the two blocks.
/// <para>
/// Some templates end the prompt with <c>&lt;think&gt;</c> so that the model starts thinking at once. With
/// <c>thinkTagInPrompt</c> the completion must then NOT repeat <c>&lt;think&gt;</c>: it starts with the reasoning and
/// contains exactly one <c>&lt;/think&gt;</c>, <c>&lt;answer&gt;</c> and <c>&lt;/answer&gt;</c>.
/// </para>
/// </summary>
public static class FormatReward
{
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";
    private const string AnswerOpen = "<answer>";
    private const string AnswerClose = "</answer>";

    /// <summary>Scores the completion's format: 1 when it has the required shape, 0 with the first problem found.</summary>
    /// <param name="completion">The model's output (what follows <c>Assistant:</c>, or <c>&lt;think&gt;</c> when it is in the prompt).</param>
    /// <param name="thinkTagInPrompt">Whether the prompt already ends with <c>&lt;think&gt;</c>.</param>
    public static RewardResult Score(string? completion, bool thinkTagInPrompt = false)
    {
        if (string.IsNullOrEmpty(completion))
            return RewardResult.Fail("empty completion");
        if (completion.Length > RewardLimits.MaxCompletionChars)
            return RewardResult.Fail($"completion too long ({completion.Length} chars > {RewardLimits.MaxCompletionChars})");

        var expectedThinkOpen = thinkTagInPrompt ? 0 : 1;
        foreach (var (tag, expected) in new[] { (ThinkOpen, expectedThinkOpen), (ThinkClose, 1), (AnswerOpen, 1), (AnswerClose, 1) })
        {
            var count = Count(completion, tag);
            if (count != expected)
                return RewardResult.Fail(thinkTagInPrompt && tag == ThinkOpen
                    ? $"{tag} repeated although the prompt already opens it"
                    : $"{tag} appears {count} times (expected {expected})");
        }

        var thinkStart = thinkTagInPrompt ? 0 : completion.IndexOf(ThinkOpen, StringComparison.Ordinal);
        var thinkEnd = completion.IndexOf(ThinkClose, StringComparison.Ordinal);
        var answerStart = completion.IndexOf(AnswerOpen, StringComparison.Ordinal);
        var answerEnd = completion.IndexOf(AnswerClose, StringComparison.Ordinal);
        if (!(thinkStart <= thinkEnd && thinkEnd < answerStart && answerStart < answerEnd))
            return RewardResult.Fail("tags out of order (expected <think> </think> <answer> </answer>)");

        if (!thinkTagInPrompt && !IsBlank(completion, 0, thinkStart))
            return RewardResult.Fail("text before <think>");
        if (!IsBlank(completion, thinkEnd + ThinkClose.Length, answerStart))
            return RewardResult.Fail("text between </think> and <answer>");
        if (!IsBlank(completion, answerEnd + AnswerClose.Length, completion.Length))
            return RewardResult.Fail("text after </answer>");
        return RewardResult.Pass("well-formed <think></think><answer></answer>");
    }

    /// <summary>
    /// The chain of thought: the text inside <c>&lt;think&gt;...&lt;/think&gt;</c> (or before <c>&lt;/think&gt;</c> when the
    /// prompt opens the tag), or null when there is none.
    /// </summary>
    /// <param name="completion">The model's output.</param>
    /// <param name="thinkTagInPrompt">Whether the prompt already ends with <c>&lt;think&gt;</c>.</param>
    public static string? ThinkContent(string? completion, bool thinkTagInPrompt = false)
    {
        if (string.IsNullOrEmpty(completion) || completion.Length > RewardLimits.MaxCompletionChars)
            return null;
        var end = completion.IndexOf(ThinkClose, StringComparison.Ordinal);
        if (end < 0)
            return null;
        var start = completion.LastIndexOf(ThinkOpen, end, StringComparison.Ordinal);
        if (start >= 0)
            return completion[(start + ThinkOpen.Length)..end];
        return thinkTagInPrompt ? completion[..end] : null;
    }

    private static int Count(string text, string tag)
    {
        var count = 0;
        for (var i = text.IndexOf(tag, StringComparison.Ordinal); i >= 0; i = text.IndexOf(tag, i + tag.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private static bool IsBlank(string text, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
                return false;
        }
        return true;
    }
}
