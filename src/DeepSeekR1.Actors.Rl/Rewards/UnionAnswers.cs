using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Reads a union of intervals, <c>(-\infty,-2)\cup(3,\infty)</c>; <see cref="LatexNormalizer"/> has already turned
/// <c>\text{ or }</c>, a plain <c>or</c>, <c>\lor</c> and <c>∪</c> into <c>\cup</c>, so <c>x&lt;-2 \text{ or } x&gt;3</c> is
/// the same union of two bounds (each read as its interval by <see cref="RelationAnswers"/>). Every part must be an
/// interval or a set; the parts compare as a set of parts, as written (no merging: <c>[1,2]\cup[2,3]</c> is not read
/// as <c>[1,3]</c>, which costs a rare correct answer its reward and never passes a wrong one).
/// </summary>
internal static partial class UnionAnswers
{
    /// <summary>The union in <paramref name="text"/>, or null when it has no <c>\cup</c> outside brackets.</summary>
    public static UnionAnswer? TryParse(string text, Func<string, ParsedAnswer> parse)
    {
        var member = Membership().Match(text);
        if (member.Success && AnswerParser.IsVariable(member.Groups["name"].Value))
            text = text[member.Length..];   // x \in (-\infty,-2)\cup(3,\infty)
        var parts = SplitAtCup(text);
        if (parts.Count < 2)
            return null;
        var answers = new List<ParsedAnswer>();
        foreach (var part in parts)
        {
            if (part.Trim().Length == 0)
                throw new AnswerRejectedException("a union with an empty part");
            var answer = parse(part);
            // A one-member set \{5\} reads as the number 5 elsewhere; as a part of a union it can only be the set.
            if (answer is ScalarAnswer && part.Trim() is ['{', .., '}'])
                answer = new ListAnswer('{', '}', [answer]);
            if (answer is not ListAnswer { Items.Count: 2, Shape: "interval" or "tuple" } and not ListAnswer { Shape: "set" })
                throw new AnswerRejectedException("a union of something other than intervals and sets");
            answers.Add(answer);
        }
        // "x < -2 or y > 3" is not a set of numbers on one line.
        if (answers.OfType<ListAnswer>().Select(p => p.Variable).OfType<string>().Distinct(StringComparer.Ordinal).Count() > 1)
            throw new AnswerRejectedException("a union of bounds on different variables");
        return new UnionAnswer(answers);
    }

    private static List<string> SplitAtCup(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (depth == 0 && c == '\\' && string.CompareOrdinal(text, i, "\\cup", 0, 4) == 0
                     && (i + 4 == text.Length || !char.IsAsciiLetter(text[i + 4])))
            {
                parts.Add(text[start..i]);
                start = i + 4;
                i += 3;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?)\s*\\in(?![A-Za-z])\s*", RegexOptions.CultureInvariant)]
    private static partial Regex Membership();
}
