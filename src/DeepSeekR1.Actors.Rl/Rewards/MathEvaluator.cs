using DeepSeekR1.Actors.Rl.Numerics;
using System.Numerics;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Evaluates a <see cref="MathExpression"/>: exactly over <see cref="Rational"/> when it holds only numbers and
/// + - * / and integer powers, or in double precision at given variable values. Every node visit spends one step
/// of a shared budget; running out raises <see cref="AnswerRejectedException"/>.
/// </summary>
internal sealed class MathEvaluator
{
    private int _stepsLeft = RewardLimits.MaxEvaluationSteps;

    /// <summary>The exact value, or null when the expression is not a bounded rational (a variable, pi, sqrt, overflow...).</summary>
    public Rational? TryExact(MathExpression expression)
    {
        Spend();
        switch (expression)
        {
            case NumberNode number:
                return number.Value;
            case NegateNode negate:
                return TryExact(negate.Operand)?.Negate();
            case BinaryNode binary:
                var left = TryExact(binary.Left);
                if (left is null)
                    return null;
                var right = TryExact(binary.Right);
                if (right is null)
                    return null;
                return binary.Operator switch
                {
                    '+' => Rational.Add(left.Value, right.Value),
                    '-' => Rational.Subtract(left.Value, right.Value),
                    '*' => Rational.Multiply(left.Value, right.Value),
                    '/' => Rational.Divide(left.Value, right.Value),
                    '^' => left.Value.Power(right.Value),
                    _ => null,
                };
            case FunctionNode { Name: "abs" } abs:
                var inner = TryExact(abs.Argument);
                return inner is { } v && v.Numerator.Sign < 0 ? v.Negate() : inner;
            case FunctionNode { Name: "fact" } fact:
                return TryExact(fact.Argument) is { IsInteger: true } n && n.Numerator.Sign >= 0 && n.Numerator <= 300
                    ? Factorial((int)n.Numerator)
                    : null;
            default:
                return null;
        }
    }

    /// <summary>The double value with the given variable values; NaN where undefined, infinity where it overflows.</summary>
    public double Evaluate(MathExpression expression, IReadOnlyDictionary<string, double> variables)
    {
        Spend();
        return expression switch
        {
            NumberNode number => Underflowed(number.Value.ToDouble(), number.Value.Numerator.IsZero),
            ConstantNode constant => constant.Name switch
            {
                ConstantNode.Pi => Math.PI,
                ConstantNode.E => Math.E,
                _ => double.PositiveInfinity,
            },
            VariableNode variable => variables.TryGetValue(variable.Name, out var value) ? value : double.NaN,
            NegateNode negate => -Evaluate(negate.Operand, variables),
            BinaryNode binary => Apply(binary.Operator, Evaluate(binary.Left, variables), Evaluate(binary.Right, variables)),
            FunctionNode function => Apply(function.Name, Evaluate(function.Argument, variables)),
            _ => double.NaN,
        };
    }

    /// <summary>The names of the free variables in <paramref name="expression"/>.</summary>
    public static void CollectVariables(MathExpression expression, ISet<string> names)
    {
        switch (expression)
        {
            case VariableNode variable:
                names.Add(variable.Name);
                break;
            case NegateNode negate:
                CollectVariables(negate.Operand, names);
                break;
            case BinaryNode binary:
                CollectVariables(binary.Left, names);
                CollectVariables(binary.Right, names);
                break;
            case FunctionNode function:
                CollectVariables(function.Argument, names);
                break;
        }
    }

    /// <summary>Whether the expression mentions infinity (so an infinite value is meant, not an overflow).</summary>
    public static bool MentionsInfinity(MathExpression expression) => expression switch
    {
        ConstantNode constant => constant.Name == ConstantNode.Infinity,
        NegateNode negate => MentionsInfinity(negate.Operand),
        BinaryNode binary => MentionsInfinity(binary.Left) || MentionsInfinity(binary.Right),
        FunctionNode function => MentionsInfinity(function.Argument),
        _ => false,
    };

    private void Spend()
    {
        if (--_stepsLeft < 0)
            throw new AnswerRejectedException("evaluation budget exhausted");
        if ((_stepsLeft & 255) == 0)
            VerifierClock.Check();
    }

    private static double Apply(char op, double left, double right) => op switch
    {
        '+' => left + right,
        '-' => left - right,
        '*' => Underflowed(left * right, left == 0 || right == 0),
        '/' => Underflowed(left / right, left == 0 || double.IsInfinity(right)),
        '^' => Underflowed(Power(left, right), left == 0 || double.IsNegativeInfinity(right) || (double.IsPositiveInfinity(right) && Math.Abs(left) < 1)),
        _ => double.NaN,
    };

    // A value too small for a double rounds to 0, and 0 is a real answer: 10^{-10^{10}} must not equal 0. Such a value
    // is undefined here (NaN) unless an operand really makes it zero.
    private static double Underflowed(double value, bool reallyZero) => value == 0 && !reallyZero ? double.NaN : value;

    /// <summary>Like <see cref="Math.Pow"/>, but a negative base with an odd-root exponent such as 1/3 gives the real root.</summary>
    private static double Power(double x, double y)
    {
        if (x < 0 && !double.IsInteger(y) && double.IsFinite(y))
        {
            var reciprocal = 1.0 / y;
            if (double.IsInteger(Math.Round(reciprocal, 9)) && Math.Abs(Math.Round(reciprocal) % 2) == 1)
                return -Math.Pow(-x, y);
        }
        return Math.Pow(x, y);
    }

    private static double Apply(string function, double x) => function switch
    {
        "sqrt" => Math.Sqrt(x),
        "sin" => Math.Sin(x),
        "cos" => Math.Cos(x),
        "tan" => Math.Tan(x),
        "sec" => 1.0 / Math.Cos(x),
        "csc" => 1.0 / Math.Sin(x),
        "cot" => 1.0 / Math.Tan(x),
        "ln" => Math.Log(x),
        "exp" => Math.Exp(x),
        "abs" => Math.Abs(x),
        "fact" => x >= 0 && double.IsInteger(x) && x <= 170 ? Factorial((int)x).ToDouble() : double.NaN,
        _ => double.NaN,
    };

    private static Rational Factorial(int n)
    {
        var product = BigInteger.One;
        for (var k = 2; k <= n; k++)
            product *= k;
        return Rational.FromInteger(product);
    }
}
