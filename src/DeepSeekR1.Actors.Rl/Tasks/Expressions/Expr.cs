using DeepSeekR1.Actors.Rl.Numerics;
using System.Globalization;

namespace DeepSeekR1.Actors.Rl.Tasks.Expressions;

/// <summary>
/// An arithmetic expression tree over whole-number literals and + - * /. Generators build these and
/// print them as questions or reference solutions; <see cref="ArithmeticExpression"/> reads model answers
/// back into them. Printing uses only the parentheses the value needs, so parse(print(e)) has e's value.
/// </summary>
public abstract record Expr
{
    // Literals bind tightest; used to decide where printing needs parentheses.
    private protected const int LiteralPrecedence = 3;

    /// <summary>The exact value, or <see langword="null"/> when the expression divides by zero.</summary>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public abstract Rational? Evaluate();

    /// <summary>Every literal in the expression, left to right, repeats included.</summary>
    /// <returns>The literals.</returns>
    public abstract IEnumerable<long> Literals();

    /// <summary>Binding strength: 1 for + and -, 2 for * and /, 3 for a literal.</summary>
    internal abstract int Precedence { get; }

    /// <summary>The expression with spaces around operators and only the parentheses it needs, e.g. <c>(50 - 25) * 3</c>.</summary>
    /// <returns>The text form.</returns>
    public abstract override string ToString();
}

/// <summary>A whole-number literal.</summary>
/// <param name="Value">The number as written.</param>
public sealed record NumberExpr(long Value) : Expr
{
    internal override int Precedence => LiteralPrecedence;

    /// <inheritdoc />
    public override Rational? Evaluate() => Value;

    /// <inheritdoc />
    public override IEnumerable<long> Literals()
    {
        yield return Value;
    }

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One of + - * / applied to two sub-expressions.</summary>
/// <param name="Op">The operator: '+', '-', '*' or '/'.</param>
/// <param name="Left">Left operand.</param>
/// <param name="Right">Right operand.</param>
public sealed record BinaryExpr(char Op, Expr Left, Expr Right) : Expr
{
    internal override int Precedence => Op is '+' or '-' ? 1 : 2;

    /// <inheritdoc />
    public override Rational? Evaluate()
    {
        if (Left.Evaluate() is not { } left || Right.Evaluate() is not { } right)
        {
            return null;
        }

        return Op switch
        {
            '+' => left + right,
            '-' => left - right,
            '*' => left * right,
            '/' => right.IsZero ? null : left / right,
            _ => throw new InvalidOperationException($"Unknown operator '{Op}'."),
        };
    }

    /// <inheritdoc />
    public override IEnumerable<long> Literals() => Left.Literals().Concat(Right.Literals());

    /// <inheritdoc />
    public override string ToString()
    {
        // A left operand needs parentheses only if it binds more loosely: (a + b) * c.
        // A right operand also needs them at equal strength under - and /, which do not associate:
        // a - (b - c) differs from a - b - c, while a + (b - c) equals a + b - c.
        bool wrapLeft = Left.Precedence < Precedence;
        bool wrapRight = Right.Precedence < Precedence || (Right.Precedence == Precedence && Op is '-' or '/');
        string left = wrapLeft ? $"({Left})" : Left.ToString();
        string right = wrapRight ? $"({Right})" : Right.ToString();
        return $"{left} {Op} {right}";
    }
}
