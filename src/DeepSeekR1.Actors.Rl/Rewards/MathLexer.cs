namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>Splits a normalised answer into <see cref="MathToken"/>s.</summary>
internal static class MathLexer
{
    /// <summary>Words read as one name when written without a backslash (<c>sin x</c>, <c>2pi</c>); longest first.</summary>
    private static readonly string[] KnownWords =
        ["sqrt", "sin", "cos", "tan", "sec", "csc", "cot", "exp", "log", "ln", "pi"];

    /// <summary>Whether <paramref name="name"/> is a known word that names a function (every known word but pi).</summary>
    public static bool IsFunctionWord(string name) => name != "pi" && KnownWords.Contains(name);

    private static bool IsFunction(MathToken token) =>
        token.Kind is MathTokenKind.Name or MathTokenKind.Command && IsFunctionWord(token.Text);

    private const string Symbols = "+-*/^(){}[]|!_";

    /// <summary>Tokenises <paramref name="text"/>; throws <see cref="AnswerRejectedException"/> on a character it cannot read.</summary>
    public static List<MathToken> Tokenize(string text)
    {
        var tokens = new List<MathToken>();
        var i = 0;
        var spaceBefore = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                spaceBefore = true;
                i++;
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                // "12 34" is not a product anyone writes on purpose; a space-separated run of numbers is ambiguous.
                // (A subscript is the exception, \log_2 8, and so is a function's power, \sin^2 2x.)
                if (spaceBefore && tokens.Count > 0 && tokens[^1].Kind == MathTokenKind.Number && !(tokens.Count > 1 && tokens[^2].Is('_'))
                    && !(tokens.Count > 2 && tokens[^2].Is('^') && IsFunction(tokens[^3])))
                    throw new AnswerRejectedException("two numbers separated only by a space");
                var literal = ReadNumber(text, ref i);
                tokens.Add(new MathToken(MathTokenKind.Number, literal));
            }
            else if (char.IsAsciiLetter(c))
            {
                tokens.Add(new MathToken(MathTokenKind.Name, ReadName(text, ref i)));
            }
            else if (c == '\\')
            {
                var start = ++i;
                while (i < text.Length && char.IsAsciiLetter(text[i]))
                    i++;
                if (i == start)
                    throw new AnswerRejectedException($"unsupported LaTeX escape '\\{(start < text.Length ? text[start] : ' ')}'");
                tokens.Add(new MathToken(MathTokenKind.Command, text[start..i]));
            }
            else if (Symbols.Contains(c))
            {
                tokens.Add(new MathToken(MathTokenKind.Symbol, c.ToString()));
                i++;
            }
            else
            {
                throw new AnswerRejectedException($"unexpected character '{c}'");
            }
            spaceBefore = false;
        }
        tokens.Add(new MathToken(MathTokenKind.End, ""));
        return tokens;
    }

    private static string ReadNumber(string text, ref int i)
    {
        var start = i;
        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        }
        // Scientific notation only when digits follow the e: "2e" alone is 2 times Euler's number.
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            var j = i + 1;
            if (j < text.Length && (text[j] == '+' || text[j] == '-'))
                j++;
            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                i = j;
                while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
            }
        }
        if (digits > RewardLimits.MaxNumberDigits)
            throw new AnswerRejectedException($"number literal too long ({digits} digits > {RewardLimits.MaxNumberDigits})");
        return text[start..i];
    }

    private static string ReadName(string text, ref int i)
    {
        foreach (var word in KnownWords)
        {
            if (string.CompareOrdinal(text, i, word, 0, word.Length) == 0)
            {
                i += word.Length;
                return word;
            }
        }
        // Otherwise one letter is one variable ("xy" is x times y), optionally with a subscript: x_1, x_{12}.
        var name = text[i].ToString();
        i++;
        if (i + 1 < text.Length && text[i] == '_')
        {
            if (text[i + 1] == '{')
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                    throw new AnswerRejectedException("unclosed subscript");
                name += "_" + text[(i + 2)..close].Trim();
                i = close + 1;
            }
            else if (char.IsAsciiLetterOrDigit(text[i + 1]))
            {
                name += "_" + text[i + 1];
                i += 2;
            }
        }
        return name;
    }
}
