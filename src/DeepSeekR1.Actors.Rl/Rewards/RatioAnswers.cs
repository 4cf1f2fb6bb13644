using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Reads a ratio <c>a : b</c> (or <c>a : b : c</c>). Its terms compare one by one, in order, exactly as written values:
/// <c>11 : 21</c> and <c>\frac{22}{2}:21</c> equal <c>11:21</c>, but the scaled <c>22:42</c> does not, and neither does the
/// fraction <c>\frac{11}{21}</c>. A colon answer is not always a ratio: <c>10:30</c> can be a time of day and
/// <c>2:1</c> a score, where <c>5:15</c> and <c>4:2</c> are other answers; the verifier cannot tell which from the text,
/// so it takes the reading under which no wrong answer passes (docs/verifier.md).
/// </summary>
internal static partial class RatioAnswers
{
    /// <summary>The ratio whose terms are <paramref name="parts"/> (an answer split at its colons outside brackets), or null when there is one part.</summary>
    public static RatioAnswer? TryParse(List<string> parts)
    {
        if (parts.Count < 2)
            return null;
        if (parts.Any(p => p.Trim().Length == 0))
            throw new AnswerRejectedException("a ratio with an empty term");
        return new RatioAnswer(parts.Select(p => MathParser.Parse(p.Trim())).ToList());
    }

    /// <summary>Whether <paramref name="text"/> only names the quantities of a ratio (<c>V_1 : V_2</c>, <c>AB:BC</c>), as the left side of <c>V_1 : V_2 = 11:21</c>.</summary>
    public static bool IsNames(string text) => Names().IsMatch(text);

    [GeneratedRegex(@"^\s*(?:[A-Z]{1,3}|[A-Za-z](?:_\{?\w+\}?)?)(?:\s*:\s*(?:[A-Z]{1,3}|[A-Za-z](?:_\{?\w+\}?)?))+\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Names();
}
