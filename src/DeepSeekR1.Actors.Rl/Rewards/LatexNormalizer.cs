using System.Text;
using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Rewrites an answer's LaTeX and Unicode into the small, plain language that <see cref="AnswerParser"/> reads:
/// math delimiters, spacing commands, <c>\left</c>/<c>\right</c>, <c>\dfrac</c>, degree signs and text wrappers go;
/// <c>\cdot</c> becomes <c>*</c>; <c>\frac12</c> and <c>\sqrt2</c> get their braces. It removes presentation, never
/// meaning: whatever it cannot interpret is left for the parser to accept or reject with a reason.
/// </summary>
internal static partial class LatexNormalizer
{
    /// <summary>Commands whose braced argument is kept and whose name is dropped; the text-like ones may hold a unit.</summary>
    private static readonly string[] WrapperCommands =
        ["boxed", "fbox", "text", "textbf", "textit", "textrm", "textnormal", "textup", "mathrm", "mathbf", "mathit", "mbox", "operatorname"];

    private static readonly (string From, string To)[] Replacements =
    [
        ("\\$", ""), ("$", ""), ("{,}", ","),
        ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\cfrac", "\\frac"),
        ("\\displaystyle", ""), ("\\textstyle", ""),
        ("\\left.", ""), ("\\right.", ""), ("\\left", ""), ("\\right", ""),
        ("\\bigl", ""), ("\\bigr", ""), ("\\Bigl", ""), ("\\Bigr", ""), ("\\big", ""), ("\\Big", ""),
        ("\\!", ""), ("\\,", ""), ("\\;", " "), ("\\:", " "), ("\\ ", " "), ("~", " "), ("\\qquad", " "), ("\\quad", " "),
        ("\\%", "%"), ("\\{", "{"), ("\\}", "}"), ("\\lbrace", "{"), ("\\rbrace", "}"),
        ("\\lvert", "|"), ("\\rvert", "|"), ("\\vert", "|"),
        ("\\cdot", "*"), ("\\times", "*"), ("\\ast", "*"), ("\u00d7", "*"), ("\u00b7", "*"), ("\u2217", "*"),
        ("\\colon", ":"), ("\u2236", ":"), ("\\div", "/"), ("\u00f7", "/"),
        ("\\infinity", "\\infty"), ("\\infin", "\\infty"), ("\u221e", "\\infty"),
        ("^{\\circ}", ""), ("^\\circ", ""), ("\\circ", ""), ("^{\\degree}", ""), ("^\\degree", ""), ("\\degree", ""), ("\u00b0", ""),
        ("\u03c0", "\\pi "), ("\u221a", "\\sqrt"), ("\u2212", "-"), ("\u2013", "-"), ("\u00a0", " "), ("\u2009", ""), ("\u202f", ""),
        ("\u00b1", "\\pm "), ("\u2213", "\\mp "), ("+/-", "\\pm "),
    ];

    /// <summary>Returns the normalised form of <paramref name="answer"/> (trimmed, single-spaced).</summary>
    public static string Normalize(string answer)
    {
        // "x < -2 \text{ or } x > 3" is a union; the word must go before text wrappers are read as units.
        var text = UnwrapCommands(Or().Replace(MatrixAnswers.Rewrite(answer), " \\cup "));
        text = DecimalComma().Replace(text, DecimalPoint);
        foreach (var (from, to) in Replacements)
            text = text.Replace(from, to, StringComparison.Ordinal);
        // TeX lets single-character arguments go without braces: \frac12 is 1/2 and \sqrt2x is sqrt(2)*x.
        text = FracTwoBareArguments().Replace(text, "\\frac{$1}{$2}");
        text = FracBareNumerator().Replace(text, "\\frac{$1}{");
        text = FracBareDenominator().Replace(text, "\\frac$1{$2}");
        text = SqrtBareArgument().Replace(text, "\\sqrt{$1}");
        // "x \approx 3.14" names its value as "x = 3.14" does, and a bare "\approx 3.14" is the value itself: an answer
        // that states an approximation is graded on the number it gives, which must still match by the usual rules.
        text = LeadingApprox().Replace(text, "", 1);
        text = Approx().Replace(text, "=");
        // Relations in ASCII, so the parser sees one spelling: \geq, \ge, \geqslant, ≥ are all >=.
        text = GreaterOrEqual().Replace(text, ">=");
        text = LessOrEqual().Replace(text, "<=");
        text = NotEqual().Replace(text, "!=");
        text = text.Replace("\\gt", ">", StringComparison.Ordinal).Replace("\\lt", "<", StringComparison.Ordinal);
        text = Whitespace().Replace(text, " ").Trim();
        // A sentence-final period ("the answer is 5.") is punctuation, not a decimal point.
        if (text.EndsWith('.') && text.Length > 1)
            text = text[..^1].TrimEnd();
        return text;
    }

    /// <summary>
    /// <c>3{,}5</c> is a decimal comma: LaTeX's <c>{,}</c> is how a comma is written inside a number, never between list
    /// members, so it is unambiguous unless exactly three digits follow, where it is the thousands separator of
    /// <c>1{,}000</c> (a leading 0, as in <c>0{,}125</c>, groups no thousands). A bare <c>3,5</c> stays the list 3, 5.
    /// </summary>
    private static string DecimalPoint(Match match) =>
        match.Groups["frac"].Length != 3 || match.Groups["whole"].Value == "0"
            ? $"{match.Groups["whole"].Value}.{match.Groups["frac"].Value}"
            : match.Value;

    /// <summary>
    /// Drops wrapper commands and keeps their argument. A text-like wrapper that holds only words (a unit, as in
    /// <c>5\text{ cm}^2</c>) is removed entirely, with any square or cube after it, when something else remains;
    /// when it is the whole answer (<c>\text{Monday}</c>) its words are the answer.
    /// </summary>
    private static string UnwrapCommands(string text)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '\\' && TryMatchWrapper(text, i, out var name, out var open))
            {
                var close = MatchingBrace(text, open);
                if (close < 0)
                {
                    builder.Append(text, i, text.Length - i); // unbalanced: leave it for the parser to reject
                    break;
                }
                var inner = UnwrapCommands(text[(open + 1)..close]);
                var rest = close + 1;
                var isUnit = name.StartsWith("text", StringComparison.Ordinal) || name is "mathrm" or "mbox";
                var othersPresent = builder.ToString().Trim().Length > 0 || text[rest..].Trim().Length > 0;
                if (isUnit && othersPresent && IsWords(inner))
                {
                    rest = SkipUnitPower(text, rest);
                    builder.Append(' ');
                }
                else
                {
                    builder.Append(inner);
                }
                i = rest;
                continue;
            }
            builder.Append(text[i]);
            i++;
        }
        return builder.ToString();
    }

    private static bool TryMatchWrapper(string text, int backslash, out string name, out int openBrace)
    {
        foreach (var candidate in WrapperCommands)
        {
            var end = backslash + 1 + candidate.Length;
            if (string.CompareOrdinal(text, backslash + 1, candidate, 0, candidate.Length) != 0)
                continue;
            if (end < text.Length && char.IsAsciiLetter(text[end]))
                continue; // a longer command such as \textbf when looking for \text
            while (end < text.Length && text[end] == ' ')
                end++;
            if (end < text.Length && text[end] == '{')
            {
                name = candidate;
                openBrace = end;
                return true;
            }
        }
        name = "";
        openBrace = -1;
        return false;
    }

    private static int MatchingBrace(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '{' or '}')
            {
                i++;
                continue;
            }
            if (text[i] == '{')
                depth++;
            else if (text[i] == '}' && --depth == 0)
                return i;
        }
        return -1;
    }

    private static bool IsWords(string text) =>
        text.Trim().Length > 0 && text.All(c => char.IsLetter(c) || c is ' ' or '.' or '/');

    private static int SkipUnitPower(string text, int position)
    {
        var match = UnitPower().Match(text, position);
        return match.Success && match.Index == position ? position + match.Length : position;
    }

    [GeneratedRegex(@"\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex FracTwoBareArguments();

    [GeneratedRegex(@"\\frac\s*([0-9a-zA-Z])\s*\{", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex FracBareNumerator();

    [GeneratedRegex(@"\\frac\s*(\{[^{}]*\})\s*([0-9a-zA-Z])", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex FracBareDenominator();

    [GeneratedRegex(@"\\sqrt\s*([0-9a-zA-Z])", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex SqrtBareArgument();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\s*\^\s*\{?\s*[23]\s*\}?", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UnitPower();

    // One {,} between two digit runs, not part of a longer group chain (1{,}234{,}567 is thousands throughout).
    [GeneratedRegex(@"(?<![0-9.,}])(?<whole>[0-9]+)\{,\}(?<frac>[0-9]+)(?![0-9]|\{,\})", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalComma();

    // "or" between the parts of a union: in a text wrapper, as a plain word, or as a logical or; and the union sign.
    [GeneratedRegex(@"\\(?:text|mbox|textrm|mathrm|textnormal)\s*\{\s*or\s*\}|(?<![A-Za-z])or(?![A-Za-z])|\\(?:lor|vee)(?![A-Za-z])|\u222a", RegexOptions.CultureInvariant)]
    private static partial Regex Or();

    [GeneratedRegex(@"\\(?:geqslant|geq|ge)(?![A-Za-z])|\u2265", RegexOptions.CultureInvariant)]
    private static partial Regex GreaterOrEqual();

    [GeneratedRegex(@"\\(?:leqslant|leq|le)(?![A-Za-z])|\u2264", RegexOptions.CultureInvariant)]
    private static partial Regex LessOrEqual();

    [GeneratedRegex(@"^\s*(?:\\approx(?![A-Za-z])|\u2248)", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingApprox();

    [GeneratedRegex(@"\\approx(?![A-Za-z])|\u2248", RegexOptions.CultureInvariant)]
    private static partial Regex Approx();

    [GeneratedRegex(@"\\(?:neq|ne)(?![A-Za-z])|\u2260", RegexOptions.CultureInvariant)]
    private static partial Regex NotEqual();
}
