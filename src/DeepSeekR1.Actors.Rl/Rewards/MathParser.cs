using DeepSeekR1.Actors.Rl.Numerics;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// A recursive-descent parser from a normalised answer to a <see cref="MathExpression"/>.
/// Grammar (highest precedence last):
/// <code>
/// sum      := product (('+' | '-') product)*
/// product  := unary (('*' | '/') unary | implicit-factor)*      implicit: 2x, 2(x+1), x\sqrt{2}
/// unary    := ('-' | '+') unary | power
/// power    := postfix ('^' unary)?                             right-associative through unary
/// postfix  := primary '!'*
/// primary  := number | name | command | '(' sum ')' | '{' sum '}' | '[' sum ']' | '|' sum '|'
/// function := fname ('^' positive-integer)? argument             \sin^2 x = (sin x)^2; \sin^{-1} is refused
/// argument := bracketed power | power (number | letter | \pi)*   \sin 2x = sin(2x); \sin x \cos x = sin(x) cos(x)
/// </code>
/// Limits on nesting depth, power-tower height and node count are enforced while parsing, so a hostile answer is
/// rejected after reading at most its own (already bounded) length.
/// </summary>
internal sealed class MathParser
{
    private readonly List<MathToken> _tokens;
    private int _position;
    private int _depth;
    private int _towerHeight;
    private int _nodes;
    private int _absoluteDepth;

    private MathParser(List<MathToken> tokens) => _tokens = tokens;

    /// <summary>Parses a whole expression; throws <see cref="AnswerRejectedException"/> with the reason on failure.</summary>
    public static MathExpression Parse(string text)
    {
        VerifierClock.Check();
        var parser = new MathParser(MathLexer.Tokenize(text));
        if (parser.Current.Kind == MathTokenKind.End)
            throw new AnswerRejectedException("empty expression");
        var expression = parser.ParseSum();
        if (parser.Current.Kind != MathTokenKind.End)
            throw new AnswerRejectedException($"unexpected '{parser.Current.Text}'");
        return expression;
    }

    private MathToken Current => _tokens[_position];

    private MathToken Advance() => _tokens[_position++];

    private T Node<T>(T node) where T : MathExpression
    {
        if (++_nodes > RewardLimits.MaxExpressionNodes)
            throw new AnswerRejectedException($"expression too large (> {RewardLimits.MaxExpressionNodes} nodes)");
        if ((_nodes & 63) == 0)
            VerifierClock.Check();
        return node;
    }

    private MathExpression ParseSum()
    {
        var left = ParseProduct();
        while (Current.Is('+') || Current.Is('-'))
        {
            var op = Advance().Text[0];
            left = Node(new BinaryNode(op, left, ParseProduct()));
        }
        return left;
    }

    private MathExpression ParseProduct()
    {
        var left = ParseUnary();
        while (true)
        {
            if (Current.Is('*') || Current.Is('/'))
            {
                var op = Advance().Text[0];
                left = Node(new BinaryNode(op, left, ParseUnary()));
            }
            else if (StartsImplicitFactor())
            {
                left = Node(new BinaryNode('*', left, ParsePower()));
            }
            else
            {
                return left;
            }
        }
    }

    /// <summary>Whether the current token can begin a factor written right after another (implicit multiplication).</summary>
    private bool StartsImplicitFactor()
    {
        var token = Current;
        return token.Kind switch
        {
            MathTokenKind.Number or MathTokenKind.Name => true,
            MathTokenKind.Command => token.Text is not ("right" or "left"),
            // Inside |...| a bar closes the absolute value instead of opening a new one.
            MathTokenKind.Symbol => token.Is('(') || token.Is('{') || token.Is('[') || (token.Is('|') && _absoluteDepth == 0),
            _ => false,
        };
    }

    private MathExpression ParseUnary()
    {
        if (++_depth > RewardLimits.MaxNestingDepth)
            throw new AnswerRejectedException($"nesting too deep (> {RewardLimits.MaxNestingDepth})");
        try
        {
            if (Current.Is('-'))
            {
                Advance();
                return Node(new NegateNode(ParseUnary()));
            }
            if (Current.Is('+'))
            {
                Advance();
                return ParseUnary();
            }
            return ParsePower();
        }
        finally
        {
            _depth--;
        }
    }

    private MathExpression ParsePower()
    {
        var baseExpression = ParsePostfix();
        if (!Current.Is('^'))
            return baseExpression;
        Advance();
        if (++_towerHeight > RewardLimits.MaxPowerTowerHeight)
            throw new AnswerRejectedException($"power tower too tall (> {RewardLimits.MaxPowerTowerHeight} levels)");
        try
        {
            return Node(new BinaryNode('^', baseExpression, ParseUnary()));
        }
        finally
        {
            _towerHeight--;
        }
    }

    private MathExpression ParsePostfix()
    {
        var operand = ParsePrimary();
        while (Current.Is('!'))
        {
            Advance();
            operand = Node(new FunctionNode("fact", operand));
        }
        return operand;
    }

    private MathExpression ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case MathTokenKind.Number:
                Advance();
                var value = Rational.ParseDecimal(token.Text)
                    ?? throw new AnswerRejectedException($"number out of range: {token.Text}");
                return Node(new NumberNode(value));
            case MathTokenKind.Name:
                Advance();
                return ParseName(token.Text);
            case MathTokenKind.Command:
                Advance();
                return ParseCommand(token.Text);
            case MathTokenKind.Symbol when token.Is('('):
                return ParseGroup('(', ')');
            case MathTokenKind.Symbol when token.Is('{'):
                return ParseGroup('{', '}');
            case MathTokenKind.Symbol when token.Is('['):
                return ParseGroup('[', ']');
            case MathTokenKind.Symbol when token.Is('|'):
                _absoluteDepth++;
                try
                {
                    return Node(new FunctionNode("abs", ParseGroup('|', '|')));
                }
                finally
                {
                    _absoluteDepth--;
                }
            case MathTokenKind.End:
                throw new AnswerRejectedException("expression ends too early");
            default:
                throw new AnswerRejectedException($"unexpected '{token.Text}'");
        }
    }

    private MathExpression ParseGroup(char open, char close)
    {
        if (!Current.Is(open))
            throw new AnswerRejectedException($"expected '{open}'");
        Advance();
        if (++_depth > RewardLimits.MaxNestingDepth)
            throw new AnswerRejectedException($"nesting too deep (> {RewardLimits.MaxNestingDepth})");
        var inner = ParseSum();
        _depth--;
        if (!Current.Is(close))
            throw new AnswerRejectedException(Current.Kind == MathTokenKind.End ? $"unbalanced '{open}'" : $"expected '{close}' but found '{Current.Text}'");
        Advance();
        return inner;
    }

    /// <summary>A LaTeX argument: a brace group, or a single token (<c>\frac12</c>, <c>\sqrt x</c>).</summary>
    private MathExpression ParseArgument()
    {
        if (Current.Is('{'))
            return ParseGroup('{', '}');
        return ParsePrimary();
    }

    private MathExpression ParseName(string name) => name switch
    {
        "pi" => Node(new ConstantNode(ConstantNode.Pi)),
        "e" => Node(new ConstantNode(ConstantNode.E)),
        "sqrt" => Node(new FunctionNode("sqrt", ParseArgument())),
        "log" => ParseLogarithm(),
        "sin" or "cos" or "tan" or "sec" or "csc" or "cot" or "exp" or "ln" => ParseFunction(name),
        _ => Node(new VariableNode(name)),
    };

    private MathExpression ParseCommand(string command)
    {
        switch (command)
        {
            case "frac":
                var numerator = ParseArgument();
                var denominator = ParseArgument();
                return Node(new BinaryNode('/', numerator, denominator));
            case "sqrt":
                if (Current.Is('['))
                {
                    // \sqrt[n]{x} = x^(1/n)
                    var index = ParseGroup('[', ']');
                    var radicand = ParseArgument();
                    return Node(new BinaryNode('^', radicand, Node(new BinaryNode('/', Node(new NumberNode(Rational.FromInteger(1))), index))));
                }
                return Node(new FunctionNode("sqrt", ParseArgument()));
            case "pi":
                return Node(new ConstantNode(ConstantNode.Pi));
            case "infty":
                return Node(new ConstantNode(ConstantNode.Infinity));
            case "log":
                return ParseLogarithm();
            case "sin" or "cos" or "tan" or "sec" or "csc" or "cot" or "exp" or "ln":
                return ParseFunction(command);
            default:
                throw new AnswerRejectedException($"unsupported command \\{command}");
        }
    }

    /// <summary>
    /// A function applied to a parenthesised argument or to the next power-level factor (<c>\sin x^2</c> = sin(x^2)),
    /// optionally raised to a power written on its name: <c>\sin^2 x</c> and <c>\cos^{2}(x)</c> are (cos x)^2.
    /// </summary>
    private MathExpression ParseFunction(string name)
    {
        var power = ParseFunctionPower(name);
        return Powered(ParseFunctionArgument(name), power);
    }

    private MathExpression ParseFunctionArgument(string name)
    {
        if (++_depth > RewardLimits.MaxNestingDepth)
            throw new AnswerRejectedException($"nesting too deep (> {RewardLimits.MaxNestingDepth})");
        var opensWithBracket = Current.Is('(') || Current.Is('{') || Current.Is('[') || Current.Is('|');
        var argument = ParsePower();
        // Without brackets the argument is the run of implicit factors that follows, as in print: \sin 2x is sin(2x)
        // and \sin 3\pi x is sin(3 pi x). The run ends at an operator, a bracket, or another command (\sin x \cos x is
        // sin(x) cos(x)), so only numbers, letters and \pi extend it.
        if (!opensWithBracket)
        {
            while (ContinuesBareArgument())
                argument = Node(new BinaryNode('*', argument, ParsePower()));
        }
        _depth--;
        return Node(new FunctionNode(name, argument));
    }

    private bool ContinuesBareArgument()
    {
        var token = Current;
        return token.Kind switch
        {
            MathTokenKind.Number => true,
            MathTokenKind.Name => !MathLexer.IsFunctionWord(token.Text),
            MathTokenKind.Command => token.Text == "pi",
            _ => false,
        };
    }

    /// <summary>
    /// The exponent of <c>\sin^2</c>, <c>\tan^{3}</c>, or null when the name carries none. Only a positive whole number
    /// is read: <c>\sin^{-1} x</c> is arcsin x, not 1/sin x, and inverse functions are not supported, so it is refused
    /// rather than guessed (reading it as a power would pass 1/sin x for arcsin x).
    /// </summary>
    private MathExpression? ParseFunctionPower(string name)
    {
        if (!Current.Is('^'))
            return null;
        Advance();
        var braced = Current.Is('{');
        if (braced)
            Advance();
        var negative = Current.Is('-');
        if (negative)
            Advance();
        var token = Current;
        if (token.Kind != MathTokenKind.Number)
            throw new AnswerRejectedException($"the power of \\{name} must be a whole number");
        Advance();
        if (braced && !Current.Is('}'))
            throw new AnswerRejectedException($"the power of \\{name} must be a whole number");
        if (braced)
            Advance();
        if (negative)
            throw new AnswerRejectedException(token.Text == "1"
                ? $"\\{name}^{{-1}} is an inverse function (arc{name}), which is not supported"
                : $"a negative power of \\{name} is not supported (\\{name}^{{-1}} would be arc{name})");
        if (Rational.ParseDecimal(token.Text) is not { IsInteger: true } exponent || exponent.IsZero)
            throw new AnswerRejectedException($"the power of \\{name} must be a positive whole number");
        return Node(new NumberNode(exponent));
    }

    private MathExpression Powered(MathExpression function, MathExpression? power) =>
        power is null ? function : Node(new BinaryNode('^', function, power));

    /// <summary>
    /// <c>\log x</c> is base 10; <c>\log_2 x</c> and <c>\log_{b} x</c> take a base: ln(x)/ln(b). A power may stand before
    /// or after the base (<c>\log^2_3 x</c>, <c>\log_3^2 x</c>) and raises the whole logarithm.
    /// </summary>
    private MathExpression ParseLogarithm()
    {
        var power = ParseFunctionPower("log");
        MathExpression logBase = Node(new NumberNode(Rational.FromInteger(10)));
        if (Current.Is('_'))
        {
            Advance();
            logBase = ParseArgument();
        }
        if (power is null)
            power = ParseFunctionPower("log");
        var argument = ParseFunctionArgument("ln");
        return Powered(Node(new BinaryNode('/', argument, Node(new FunctionNode("ln", logBase)))), power);
    }
}
