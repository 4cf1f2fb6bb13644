using DeepSeekR1.Actors.Rl.Numerics;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Solves an inequality that is linear in one variable into the interval it denotes: <c>-x &gt; -1</c> is
/// <c>x &lt; 1</c>, <c>2x \le 6</c> is <c>x \le 3</c>, <c>-1 &lt; 2x + 1 \le 5</c> is <c>-1 &lt; x \le 2</c>; dividing by a
/// negative coefficient flips the relation. Only exact rational coefficients are solved, and "linear" is checked at
/// several integer and fractional points, so <c>x^2 &lt; 4</c> or <c>\frac{1}{x} &lt; 1</c> (whose solution sets are not
/// one interval of this form) are never turned into one; they stay relations compared term by term.
/// </summary>
internal static class LinearInequalities
{
    // Where the expression is checked to be a x + b: integers and fractions, so no low-degree polynomial or rational
    // function that is not linear agrees with a line at all of them by accident.
    private static readonly Rational[] Points =
    [
        Rational.Zero, Rational.FromInteger(1), Rational.FromInteger(-1), Rational.FromInteger(2), Rational.FromInteger(10),
        Rational.Create(1, 2)!.Value, Rational.Create(-7, 3)!.Value, Rational.Create(5, 4)!.Value, Rational.Create(-31, 7)!.Value,
    ];

    /// <summary>
    /// The interval for <c>terms[0] ops[0] terms[1] (ops[1] terms[2])</c>, every op <c>&lt;</c> or <c>&lt;=</c>, when it is
    /// linear in one variable (the outer terms of a chain constant); null otherwise.
    /// </summary>
    public static ListAnswer? TrySolve(IReadOnlyList<MathExpression> terms, IReadOnlyList<string> ops)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var term in terms)
            MathEvaluator.CollectVariables(term, names);
        if (names.Count != 1 || ops.Any(o => o is not ("<" or "<=")))
            return null;
        var name = names.Min!;
        var evaluator = new MathEvaluator();
        if (terms.Count == 2)
        {
            // left - right  op  0, i.e. a x + b op 0.
            if (Line(new BinaryNode('-', terms[0], terms[1]), name, evaluator) is not { } line || line.A.Numerator.IsZero)
                return null;
            var (a, b) = line;
            var root = Rational.Divide(b.Negate(), a);
            if (root is null)
                return null;
            bool closed = ops[0] == "<=";
            return a.Numerator.Sign > 0
                ? Interval(name, null, false, root, closed)      // x < -b/a
                : Interval(name, root, closed, null, false);     // x > -b/a: the relation flips
        }
        if (terms.Count == 3)
        {
            // lower op a x + b op upper, with constant lower and upper.
            if (evaluator.TryExact(terms[0]) is not { } lower || evaluator.TryExact(terms[2]) is not { } upper)
                return null;
            if (Line(terms[1], name, evaluator) is not { } line || line.A.Numerator.IsZero)
                return null;
            var (a, b) = line;
            var from = Rational.Subtract(lower, b) is { } l ? Rational.Divide(l, a) : null;
            var to = Rational.Subtract(upper, b) is { } u ? Rational.Divide(u, a) : null;
            if (from is null || to is null)
                return null;
            return a.Numerator.Sign > 0
                ? Interval(name, from, ops[0] == "<=", to, ops[1] == "<=")
                : Interval(name, to, ops[1] == "<=", from, ops[0] == "<=");
        }
        return null;
    }

    // (a, b) with expression = a x + b at every check point, exactly; null when it is not (or not exact there).
    private static (Rational A, Rational B)? Line(MathExpression expression, string name, MathEvaluator evaluator)
    {
        var values = new Rational[Points.Length];
        for (var i = 0; i < Points.Length; i++)
        {
            if (evaluator.TryExact(Substitute(expression, name, Points[i])) is not { } value)
                return null;
            values[i] = value;
        }
        var b = values[0];
        if (Rational.Subtract(values[1], b) is not { } a)
            return null;
        for (var i = 2; i < Points.Length; i++)
        {
            if (Rational.Multiply(a, Points[i]) is not { } ax || Rational.Add(ax, b) != values[i])
                return null;
        }
        return (a, b);
    }

    private static MathExpression Substitute(MathExpression expression, string name, Rational value) => expression switch
    {
        VariableNode variable when variable.Name == name => new NumberNode(value),
        NegateNode negate => new NegateNode(Substitute(negate.Operand, name, value)),
        BinaryNode binary => binary with { Left = Substitute(binary.Left, name, value), Right = Substitute(binary.Right, name, value) },
        FunctionNode function => function with { Argument = Substitute(function.Argument, name, value) },
        _ => expression,
    };

    // An interval with a missing end unbounded, in the form RelationAnswers gives a plain bound.
    private static ListAnswer Interval(string variable, Rational? lower, bool lowerClosed, Rational? upper, bool upperClosed)
    {
        var infinity = new ConstantNode(ConstantNode.Infinity);
        MathExpression from = lower is { } l ? new NumberNode(l) : new NegateNode(infinity);
        MathExpression to = upper is { } u ? new NumberNode(u) : infinity;
        return new ListAnswer(lower is not null && lowerClosed ? '[' : '(', upper is not null && upperClosed ? ']' : ')',
            [new ScalarAnswer(from, false), new ScalarAnswer(to, false)], variable);
    }
}
