namespace DeepSeekR1.Actors.Rl.Tasks.Expressions;

/// <summary>
/// A small recursive-descent parser for arithmetic written by a model: whole numbers, + - * /,
/// parentheses and spaces (× ÷ · and the Unicode minus are read as * / * -). It never throws on input:
/// every problem comes back as a short reason. Input length and nesting depth are bounded, so hostile
/// input costs at most a few microseconds.
/// </summary>
public static class ExpressionParser
{
    /// <summary>Longest input accepted, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>Deepest parenthesis nesting accepted.</summary>
    public const int MaxDepth = 16;

    /// <summary>Most digits in one number (keeps every literal inside a <see cref="long"/>).</summary>
    public const int MaxDigits = 12;

    /// <summary>Parses <paramref name="text"/> as a whole arithmetic expression.</summary>
    /// <param name="text">The expression.</param>
    /// <param name="expression">The tree, when parsing succeeds.</param>
    /// <param name="error">Why parsing failed, when it does.</param>
    /// <returns>Whether <paramref name="text"/> is a valid expression.</returns>
    public static bool TryParse(string text, out Expr? expression, out string? error)
    {
        expression = null;
        if (text.Length > MaxLength)
        {
            error = $"expression longer than {MaxLength} characters";
            return false;
        }

        var parser = new Parser(text);
        expression = parser.ParseAll();
        error = parser.Error;
        if (error is not null)
        {
            expression = null;
        }

        return expression is not null;
    }

    // Grammar: sum := product (('+' | '-') product)*
    //          product := atom (('*' | '/') atom)*
    //          atom := number | '(' sum ')'
    // Unary minus is rejected: Countdown answers may only combine the given (positive) numbers.
    private sealed class Parser(string text)
    {
        private int _position;
        private int _depth;

        public string? Error { get; private set; }

        public Expr? ParseAll()
        {
            Expr? result = ParseSum();
            if (result is not null && Peek() is { } extra)
            {
                return Fail(extra == ')' ? $"unmatched ')' at position {_position}" : $"unexpected '{extra}' at position {_position}");
            }

            return result;
        }

        private Expr? ParseSum()
        {
            Expr? left = ParseProduct();
            while (left is not null && Peek() is '+' or '-')
            {
                char op = Next();
                Expr? right = ParseProduct();
                left = right is null ? null : new BinaryExpr(op, left, right);
            }

            return left;
        }

        private Expr? ParseProduct()
        {
            Expr? left = ParseAtom();
            while (left is not null && Peek() is '*' or '/')
            {
                char op = Next();
                Expr? right = ParseAtom();
                left = right is null ? null : new BinaryExpr(op, left, right);
            }

            return left;
        }

        private Expr? ParseAtom()
        {
            switch (Peek())
            {
                case null:
                    return Fail("expression ends where a number was expected");
                case '(':
                    if (++_depth > MaxDepth)
                    {
                        return Fail($"parentheses nested deeper than {MaxDepth}");
                    }

                    Next();
                    Expr? inner = ParseSum();
                    if (inner is null)
                    {
                        return null;
                    }

                    if (Peek() != ')')
                    {
                        return Fail($"missing ')' at position {_position}");
                    }

                    Next();
                    _depth--;
                    return inner;
                case '-':
                    return Fail($"unary minus at position {_position} is not allowed");
                case { } c when char.IsAsciiDigit(c):
                    return ParseNumber();
                case { } c:
                    return Fail($"unexpected '{c}' at position {_position}");
            }
        }

        private Expr? ParseNumber()
        {
            long value = 0;
            int digits = 0;
            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                if (++digits > MaxDigits)
                {
                    return Fail($"number longer than {MaxDigits} digits");
                }

                value = (value * 10) + (text[_position] - '0');
                _position++;
            }

            if (_position < text.Length && text[_position] is '.' or ',')
            {
                return Fail($"only whole numbers are allowed (found '{text[_position]}' at position {_position})");
            }

            return new NumberExpr(value);
        }

        // The next significant character with operator spellings normalised, or null at the end.
        private char? Peek()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }

            if (_position >= text.Length)
            {
                return null;
            }

            return text[_position] switch
            {
                '×' or '·' or '∗' => '*',
                '÷' or '∕' => '/',
                '−' or '–' => '-',
                char c => c,
            };
        }

        private char Next()
        {
            char c = Peek()!.Value;
            _position++;
            return c;
        }

        private Expr? Fail(string reason)
        {
            Error ??= reason;
            return null;
        }
    }
}
