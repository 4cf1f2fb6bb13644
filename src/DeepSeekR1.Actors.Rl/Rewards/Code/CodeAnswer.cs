namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>
/// Finds the program in a completion: the content of the last <c>&lt;answer&gt;...&lt;/answer&gt;</c> pair; when that
/// content has a Markdown code fence, the last complete fenced block in it (info string empty, <c>python</c>,
/// <c>python3</c> or <c>py</c>); otherwise the whole answer. No <c>\boxed{}</c> fallback: a program is not boxed.
/// Never throws on model output.
/// </summary>
public static class CodeAnswer
{
    private const string AnswerOpen = "<answer>";
    private const string AnswerClose = "</answer>";

    /// <summary>Largest program run, in characters (the completion limit bounds it anyway).</summary>
    public const int MaxProgramChars = 16 * 1024;

    /// <summary>The program, or why there is none.</summary>
    /// <param name="completion">The model's output.</param>
    public static AnswerExtraction Extract(string? completion)
    {
        if (string.IsNullOrEmpty(completion))
            return AnswerExtraction.Missing("empty completion");
        if (completion.Length > RewardLimits.MaxCompletionChars)
            return AnswerExtraction.Missing($"completion too long ({completion.Length} chars > {RewardLimits.MaxCompletionChars})");
        int close = completion.LastIndexOf(AnswerClose, StringComparison.Ordinal);
        int open = close < 0 ? -1 : completion.LastIndexOf(AnswerOpen, close, StringComparison.Ordinal);
        if (open < 0)
            return AnswerExtraction.Missing("no <answer> tag");
        string answer = completion[(open + AnswerOpen.Length)..close];
        var (program, reason) = FromAnswer(answer);
        if (program is null)
            return new AnswerExtraction(null, AnswerSource.AnswerTag, reason);
        if (program.Trim().Length == 0)
            return new AnswerExtraction(null, AnswerSource.AnswerTag, $"{reason} is empty");
        if (program.Length > MaxProgramChars)
            return new AnswerExtraction(null, AnswerSource.AnswerTag, $"program too long ({program.Length} chars > {MaxProgramChars})");
        return new AnswerExtraction(program, AnswerSource.AnswerTag, reason);
    }

    /// <summary>The program inside one answer's text, or null with the reason.</summary>
    private static (string? Program, string Reason) FromAnswer(string answer)
    {
        string[] lines = answer.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        (string Info, int Start, int End)? last = null;
        int? openAt = null;
        string info = "";
        int fence = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimStart();
            int ticks = line.Length - line.TrimStart('`').Length;
            if (ticks < 3) continue;
            if (openAt is null)
            {
                (openAt, info, fence) = (i, line[ticks..].Trim(), ticks);
            }
            else if (ticks >= fence && line[ticks..].Trim().Length == 0)
            {
                // A closing fence: at least as many backticks as the opening one, and nothing after them.
                last = (info, openAt.Value + 1, i);
                openAt = null;
            }
        }
        if (openAt is not null)
            return (null, "unclosed code fence in the answer"); // which lines are code is then anyone's guess
        if (last is null)
            return (answer, "last <answer> tag (no code fence)");
        var (lang, start, end) = last.Value;
        if (lang.Length > 0 && lang.ToLowerInvariant() is not ("python" or "python3" or "py"))
            return (null, $"the last code block is '{Shorten(lang)}', not Python");
        return (string.Join('\n', lines[start..end]), "last fenced block of the last <answer> tag");
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "...";
}
