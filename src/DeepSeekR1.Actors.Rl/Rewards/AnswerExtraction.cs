namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>Where a completion's final answer came from.</summary>
public enum AnswerSource
{
    /// <summary>No answer was found (or the completion was rejected before looking).</summary>
    None,

    /// <summary>The content of the last <c>&lt;answer&gt;...&lt;/answer&gt;</c> pair.</summary>
    AnswerTag,

    /// <summary>The argument of the last <c>\boxed{...}</c> (or <c>\boxed x</c>).</summary>
    Boxed,
}

/// <summary>The final answer extracted from a completion, or why there is none.</summary>
/// <param name="Answer">The trimmed answer text, or <see langword="null"/> when none was found or it was rejected.</param>
/// <param name="Source">Where the answer came from.</param>
/// <param name="Reason">A short explanation (for example <c>last &lt;answer&gt; tag</c> or <c>no &lt;answer&gt; tag and no \boxed{}</c>).</param>
public sealed record AnswerExtraction(string? Answer, AnswerSource Source, string Reason)
{
    /// <summary>Whether an answer was found and accepted.</summary>
    public bool Found => Answer is not null;

    /// <summary>An extraction that found nothing usable.</summary>
    public static AnswerExtraction Missing(string reason) => new(null, AnswerSource.None, reason);
}
