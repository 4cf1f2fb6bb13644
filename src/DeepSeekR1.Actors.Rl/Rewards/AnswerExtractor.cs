namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Finds the final answer in a completion: the content of the LAST <c>&lt;answer&gt;...&lt;/answer&gt;</c> pair,
/// otherwise the argument of the last <c>\boxed{...}</c>. The last one counts because models often restate or
/// correct themselves, and the final statement is the one a reader would take as the answer.
/// </summary>
public static class AnswerExtractor
{
    private const string AnswerOpen = "<answer>";
    private const string AnswerClose = "</answer>";

    /// <summary>Extracts the final answer; never throws, and rejects oversized completions and answers.</summary>
    /// <param name="completion">The model's output (what follows <c>Assistant:</c>).</param>
    public static AnswerExtraction Extract(string? completion)
    {
        if (string.IsNullOrEmpty(completion))
            return AnswerExtraction.Missing("empty completion");
        if (completion.Length > RewardLimits.MaxCompletionChars)
            return AnswerExtraction.Missing($"completion too long ({completion.Length} chars > {RewardLimits.MaxCompletionChars})");

        var fromTag = LastAnswerTag(completion);
        if (fromTag is not null)
            return Accept(fromTag, AnswerSource.AnswerTag, "last <answer> tag");

        var fromBox = LastBoxed(completion);
        if (fromBox is not null)
            return Accept(fromBox, AnswerSource.Boxed, "last \\boxed{}");

        return AnswerExtraction.Missing("no <answer> tag and no \\boxed{}");
    }

    /// <summary>
    /// The argument of the last <c>\boxed</c> in <paramref name="text"/>: a brace-balanced group, or for
    /// <c>\boxed x</c> the run up to the next whitespace or <c>$</c>. <see langword="null"/> when there is none
    /// or the braces never close.
    /// </summary>
    public static string? LastBoxed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Walk back over occurrences so that an unclosed last \boxed{ does not hide an earlier, well-formed one.
        var searchEnd = text.Length;
        while (searchEnd > 0)
        {
            var start = text.LastIndexOf("\\boxed", searchEnd - 1, StringComparison.Ordinal);
            if (start < 0)
                return null;
            var argument = BoxedArgument(text, start + "\\boxed".Length);
            if (argument is not null)
                return argument;
            searchEnd = start;
        }
        return null;
    }

    private static string? LastAnswerTag(string text)
    {
        var close = text.LastIndexOf(AnswerClose, StringComparison.Ordinal);
        if (close < 0)
            return null;
        var open = text.LastIndexOf(AnswerOpen, close, StringComparison.Ordinal);
        if (open < 0)
            return null;
        return text[(open + AnswerOpen.Length)..close];
    }

    private static string? BoxedArgument(string text, int position)
    {
        if (position < text.Length && text[position] == '{')
            return BalancedGroup(text, position);

        // \boxed 42 : the argument is the next whitespace-delimited run (TeX would take one token; models mean the run).
        var begin = position;
        while (begin < text.Length && char.IsWhiteSpace(text[begin]))
            begin++;
        if (begin == position)
            return null; // "\boxedfoo" is a different command, not a boxed answer.
        var end = begin;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '$')
            end++;
        return end > begin ? text[begin..end] : null;
    }

    /// <summary>The content of the brace group opening at <paramref name="openBrace"/>, or null when it never closes.</summary>
    private static string? BalancedGroup(string text, int openBrace)
    {
        var depth = 0;
        for (var i = openBrace; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when i + 1 < text.Length && (text[i + 1] == '{' || text[i + 1] == '}'):
                    i++; // an escaped brace (\{ or \}) is content, not structure
                    break;
                case '{':
                    depth++;
                    break;
                case '}':
                    depth--;
                    if (depth == 0)
                        return text[(openBrace + 1)..i];
                    break;
            }
        }
        return null;
    }

    private static AnswerExtraction Accept(string raw, AnswerSource source, string reason)
    {
        var answer = raw.Trim();
        if (answer.Length == 0)
            return new AnswerExtraction(null, source, $"{reason} is empty");
        if (answer.Length > RewardLimits.MaxAnswerChars)
            return new AnswerExtraction(null, source, $"answer too long ({answer.Length} chars > {RewardLimits.MaxAnswerChars})");
        return new AnswerExtraction(answer, source, reason);
    }
}
