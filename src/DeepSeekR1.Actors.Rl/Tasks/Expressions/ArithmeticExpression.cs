using System.Numerics;
using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tasks.Expressions;

/// <summary>
/// Reads arithmetic a model wrote (a Countdown answer) as an <see cref="Expr"/>: whole numbers combined with
/// <c>+ - * /</c> and brackets. There is one expression parser in the project, the math verifier's
/// (<see cref="LatexNormalizer"/>, then <see cref="MathParser"/>), so a Countdown answer is read exactly as a math answer
/// is: <c>×</c>, <c>÷</c>, <c>·</c>, <c>\times</c>, <c>\div</c>, <c>\frac{a}{b}</c>, the Unicode minus and implicit
/// multiplication (<c>2(3+4)</c>) all mean what they mean there. What the verifier's grammar allows beyond arithmetic
/// (variables, powers, functions, constants, decimals, a leading minus) is refused here with a reason, since a
/// Countdown answer may only combine the puzzle's numbers. Never throws on input.
/// </summary>
public static class ArithmeticExpression
{
    /// <summary>Longest input accepted, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>Largest number literal accepted (12 digits, so every literal and the checker's counts stay in a long).</summary>
    public const long MaxLiteral = 999_999_999_999;

    /// <summary>Reads <paramref name="text"/> as a whole arithmetic expression.</summary>
    /// <param name="text">The expression.</param>
    /// <param name="expression">The tree, when it reads.</param>
    /// <param name="error">Why it does not, when it does not.</param>
    /// <returns>Whether <paramref name="text"/> is plain arithmetic on whole numbers.</returns>
    public static bool TryRead(string text, out Expr? expression, out string? error)
    {
        expression = null;
        if (text.Length > MaxLength)
        {
            error = $"expression longer than {MaxLength} characters";
            return false;
        }

        MathExpression tree;
        try
        {
            tree = MathParser.Parse(LatexNormalizer.Normalize(text));
        }
        catch (Exception e) when (e is AnswerRejectedException or VerifierTimeoutException)
        {
            error = e.Message;
            return false;
        }

        expression = ToArithmetic(tree, out error);
        return expression is not null;
    }

    // The verifier's tree is bounded in depth and size by its parser, so this recursion is too.
    private static Expr? ToArithmetic(MathExpression node, out string? error)
    {
        error = null;
        switch (node)
        {
            case NumberNode { Value: var value }:
                if (!value.IsInteger) error = $"only whole numbers may be used, not {value}";
                else if (BigInteger.Abs(value.Numerator) > MaxLiteral) error = "a number longer than 12 digits";
                else return new NumberExpr((long)value.Numerator);
                return null;
            case BinaryNode { Operator: '^' }:
                error = "powers are not allowed (unexpected '^')";
                return null;
            case BinaryNode { Operator: var op and ('+' or '-' or '*' or '/') } binary:
                var left = ToArithmetic(binary.Left, out error);
                if (left is null) return null;
                var right = ToArithmetic(binary.Right, out error);
                return right is null ? null : new BinaryExpr(op, left, right);
            case NegateNode:
                error = "a unary minus is not allowed (only the given numbers combine)";
                return null;
            case VariableNode { Name: var name }:
                error = $"unexpected '{name}'";
                return null;
            case ConstantNode { Name: var constant }:
                error = $"unexpected '{constant}'";
                return null;
            case FunctionNode { Name: var function }:
                error = $"functions are not allowed ('{function}')";
                return null;
            default:
                error = "not plain arithmetic";
                return null;
        }
    }
}
