using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Reads the structure of a normalised answer (see <see cref="LatexNormalizer"/>): a single number with
/// decorations, a bracketed tuple/set/interval, a bare comma list, <c>x = value</c>, an equation, or one
/// expression. Throws <see cref="AnswerRejectedException"/> with the reason when it cannot.
/// </summary>
internal static partial class AnswerParser
{
    private const int MaxListDepth = 4;

    /// <summary>Parses a normalised answer.</summary>
    public static ParsedAnswer Parse(string normalised) => Parse(normalised, 0);

    private static ParsedAnswer Parse(string text, int depth)
    {
        text = text.Trim();
        if (text.Length == 0)
            throw new AnswerRejectedException("empty answer");
        if (depth > MaxListDepth)
            throw new AnswerRejectedException($"lists nested too deep (> {MaxListDepth})");

        if (MatrixAnswers.TryParse(text) is { } matrix)
            return matrix;

        // "1 \pm \sqrt{2}" is two values, the same answer as "1+\sqrt{2}, 1-\sqrt{2}"; a list splits first, so that
        // each member's \pm is its own ("\pm 1, \pm 2" is four values, see Members).
        if (PlusMinus.Expand(text) is { } signs && SplitTopLevel(text, ',').Count == 1)
            return new ListAnswer('\0', '\0', [Parse(signs.Plus, depth + 1), Parse(signs.Minus, depth + 1)]);

        // A lone number first: "1,234,567" must read as one number before commas are taken as list separators.
        var plain = AnswerDecorations.Strip(text, out var plainPercent);
        if (AnswerDecorations.IsPlainNumber(plain))
            return new ScalarAnswer(MathParser.Parse(plain), plainPercent, Literal: plain);

        if (text[0] is '(' or '[' or '{' && text[^1] is ')' or ']' or '}' && ClosingIndex(text) == text.Length - 1)
        {
            var inner = SplitTopLevel(text[1..^1], ',');
            if (inner.Count >= 2)
                return new ListAnswer(text[0], text[^1], Members(text[0], inner, depth));
            if (!IsMatchingPair(text[0], text[^1]))
                throw new AnswerRejectedException("an interval needs two endpoints");
        }

        var items = SplitTopLevel(text, ',');
        if (items.Count >= 2)
            return new ListAnswer('\0', '\0', Members('\0', items, depth));

        if (UnionAnswers.TryParse(text, part => Parse(part, depth + 1)) is { } union)
            return union;

        // A ratio, unless an '=' names it first ("V_1 : V_2 = 11:21", read below).
        if (SplitTopLevel(text, '=').Count == 1 && RatioAnswers.TryParse(SplitTopLevel(text, ':')) is { } ratio)
            return ratio;

        if (RelationAnswers.TryParse(text, SplitRelations(text)) is { } relation)
            return relation;

        var sides = SplitTopLevel(text, '=');
        if (sides.Count > 2)
            throw new AnswerRejectedException("more than one '='");
        if (sides.Count == 2)
        {
            // "x = 3" answers with its right side (and "3 = x" with its left); any other equation is compared whole.
            if (SimpleVariable().IsMatch(sides[0].Trim()))
                return Named(Parse(sides[1], depth + 1), sides[0].Trim());
            if (SimpleVariable().IsMatch(sides[1].Trim()))
                return Named(Parse(sides[0], depth + 1), sides[1].Trim());
            // "V_1 : V_2 = 11:21" answers with the ratio on its right.
            if (RatioAnswers.IsNames(sides[0]))
                return Parse(sides[1], depth + 1);
            var left = MathParser.Parse(AnswerDecorations.Strip(sides[0], out _));
            var right = MathParser.Parse(AnswerDecorations.Strip(sides[1], out _));
            return new EquationAnswer(new BinaryNode('-', left, right));
        }

        var value = AnswerDecorations.Strip(text, out var isPercent);
        return new ScalarAnswer(MathParser.Parse(value), isPercent);
    }

    // The members of a list. In a set or a bare list, a member written with \pm stands for its two values
    // ("\pm 1, \pm 2" is -2, -1, 1, 2; "(1 \pm 2, 0), (5, 5)" three points). A tuple's or an interval's members are
    // never read with a \pm left in them: the whole tuple was expanded first.
    private static List<ParsedAnswer> Members(char open, List<string> items, int depth)
    {
        var members = new List<ParsedAnswer>();
        foreach (var item in items)
        {
            var member = Parse(item, depth + 1);
            if (open is '{' or '\0' && member is ListAnswer { Open: '\0' } both)
                members.AddRange(both.Items);
            else
                members.Add(member);
        }
        return members;
    }

    // "y = 2x + 1" answers with its right side, and remembers the name, so that it can still be compared with an
    // equation gold (2x - y + 1 = 0).
    private static ParsedAnswer Named(ParsedAnswer answer, string name) =>
        answer is ScalarAnswer scalar ? scalar with { NamedBy = name } : answer;

    /// <summary>Whether <paramref name="text"/> is one variable name (<c>x</c>, <c>a_1</c>, <c>f(x)</c>).</summary>
    internal static bool IsVariable(string text) => SimpleVariable().IsMatch(text.Trim());

    /// <summary>
    /// Splits at the relation operators (<c>&lt;=</c>, <c>&gt;=</c>, <c>!=</c>, <c>&lt;</c>, <c>&gt;</c>) outside brackets:
    /// the terms and the operators between them; one term when there is no relation.
    /// </summary>
    private static (List<string> Terms, List<string> Ops) SplitRelations(string text)
    {
        var terms = new List<string>();
        var ops = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (depth == 0 && c is '<' or '>' or '!')
            {
                bool withEquals = i + 1 < text.Length && text[i + 1] == '=';
                if (c == '!' && !withEquals) continue;   // a factorial
                terms.Add(text[start..i]);
                ops.Add(withEquals ? $"{c}=" : c.ToString());
                i += withEquals ? 1 : 0;
                start = i + 1;
            }
        }
        terms.Add(text[start..]);
        return (terms, ops);
    }

    private static bool IsMatchingPair(char open, char close) =>
        (open, close) is ('(', ')') or ('[', ']') or ('{', '}');

    /// <summary>The index of the bracket that closes the one at index 0 (counting all kinds alike, so <c>[1,3)</c> works), or -1.</summary>
    private static int ClosingIndex(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '(' or '[' or '{')
                depth++;
            else if (text[i] is ')' or ']' or '}' && --depth == 0)
                return i;
        }
        return -1;
    }

    /// <summary>Splits at <paramref name="separator"/> outside all brackets; throws on unbalanced brackets.</summary>
    private static List<string> SplitTopLevel(string text, char separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '(' or '[' or '{')
                depth++;
            else if (c is ')' or ']' or '}')
            {
                if (--depth < 0)
                    throw new AnswerRejectedException($"unbalanced '{c}'");
            }
            else if (c == separator && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        if (depth != 0)
            throw new AnswerRejectedException("unbalanced brackets");
        parts.Add(text[start..]);
        return parts;
    }

    [GeneratedRegex(@"^(?:[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?|[A-Za-z]\([A-Za-z]\))$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex SimpleVariable();
}
