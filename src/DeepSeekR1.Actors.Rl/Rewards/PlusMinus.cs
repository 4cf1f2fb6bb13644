using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Reads <c>a \pm b</c> as the two values it stands for: <c>1 \pm \sqrt{2}</c> is the pair <c>1+\sqrt{2}, 1-\sqrt{2}</c>,
/// so it compares with an answer that lists both (in any order) and never with one of them alone. Every <c>\pm</c>
/// in one answer takes the same sign and every <c>\mp</c> the other one, the convention of
/// <c>\frac{-b \pm \sqrt{b^2-4ac}}{2a}</c>; an answer with both signs free (<c>\pm 1 \pm 2</c>, four values) is not
/// meant that way often enough to guess, and is read by the same rule.
/// </summary>
internal static partial class PlusMinus
{
    /// <summary>The answer with every <c>\pm</c> read as + (and <c>\mp</c> as -), and read the other way; null when it has neither.</summary>
    public static (string Plus, string Minus)? Expand(string text)
    {
        if (!Sign().IsMatch(text))
            return null;
        string plus = Sign().Replace(text, m => m.Groups["op"].Value == "pm" ? "+" : "-");
        string minus = Sign().Replace(text, m => m.Groups["op"].Value == "pm" ? "-" : "+");
        return (plus, minus);
    }

    [GeneratedRegex(@"\\(?<op>pm|mp)(?![A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex Sign();
}
