using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// What a model writes around its answer, taken off before the answer is parsed: a sentence ("The answer is 42.",
/// "Answer: 42"), a left side that only names the answer (<c>|AB| = 1</c>, <c>(p,q) = (3,2)</c>, the last step of
/// <c>x = 5+6 = 11</c>, the <c>V_1 : V_2</c> of <c>V_1 : V_2 = 11:21</c>), and words between list members (<c>1, 2 and 3</c>, <c>1; 2; 3</c>). Each rule applies only
/// when the gold has no such part itself, so an answer that is an equation or a sentence is compared whole.
/// </summary>
internal static partial class AnswerSentence
{
    /// <summary><paramref name="predicted"/> with the wrapping taken off, given what <paramref name="gold"/> looks like.</summary>
    public static string Unwrap(string predicted, string gold)
    {
        string text = predicted.Trim();
        if (!Lead().IsMatch(gold)) text = Lead().Replace(text, "", 1).Trim();
        // A sentence's full stop is never part of a number ("42." is 42, "0.5." is 0.5).
        if (text.EndsWith('.') && !gold.TrimEnd().EndsWith('.')) text = text.TrimEnd('.').TrimEnd();
        if (text.Length > 1 && text[0] == '$' && text[^1] == '$') text = text.Trim('$').Trim();

        // A list of equations ("x=1, x=2") is a list, not a chain: only a text without a top-level comma is unwrapped.
        if (!gold.Contains('=') && text.Contains('=') && !HasTopLevelComma(text))
        {
            int first = text.IndexOf('=');
            // Only a name on the left: "x + 1 = 5" states something else than 5, and is left as it is.
            if ((Name().IsMatch(text[..first]) || RatioAnswers.IsNames(text[..first])) && text.LastIndexOf('=') is var last && last + 1 < text.Length)
            {
                string right = text[(last + 1)..].Trim();
                // "x = 5" stays for the parser (a one-variable equation it already reads); a chain or a named tuple goes.
                if (last != first || !SingleVariable().IsMatch(text[..first])) text = right;
            }
        }

        if (gold.Contains(','))
            text = ListWords().Replace(text, ", ");
        return text;
    }

    private static bool HasTopLevelComma(string text)
    {
        int depth = 0;
        foreach (char c in text)
        {
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == ',' && depth == 0) return true;
        }
        return false;
    }

    // "The answer is", "the final answer is", "Answer:", "So the answer is", "Therefore,".
    [GeneratedRegex(@"^\s*(?:(?:so|thus|hence|therefore)\s*,?\s+)?(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*:?|:|=)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Lead();

    // A name: x, x_1, |AB|, \overline{AB}, (p, q), f(2) is not one (it has a digit inside the brackets).
    [GeneratedRegex(@"^\s*(?:[A-Za-z](?:_\{?\w+\}?)?'?|\|[A-Za-z]+\||\\(?:overline|angle)\s*\{?[A-Za-z]+\}?|\(\s*[A-Za-z](?:_\{?\w+\}?)?(?:\s*,\s*[A-Za-z](?:_\{?\w+\}?)?)+\s*\)|[A-Z]{1,3})\s*$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^\s*[a-z]\s*$")]
    private static partial Regex SingleVariable();

    // ", and", " and ", ";" between list members.
    [GeneratedRegex(@"\s*(?:,\s*and\s+|\s+and\s+|;)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex ListWords();
}
