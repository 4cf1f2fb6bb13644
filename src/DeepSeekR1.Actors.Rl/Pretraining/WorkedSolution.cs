using System.Globalization;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// A short chain of thought for an arithmetic expression: one step per operator in evaluation order
/// (<c>12 + 7 = 19, 19 * 3 = 57</c>), each step on already computed values, so every step is a single
/// two-operand operation the model can learn locally.
/// </summary>
public static class WorkedSolution
{
    /// <summary>One operation: <c>Left Op Right = Result</c>.</summary>
    /// <param name="Left">Left operand's value.</param>
    /// <param name="Op">The operator.</param>
    /// <param name="Right">Right operand's value.</param>
    /// <param name="Result">The value of the operation as written (possibly corrupted in the last step).</param>
    public sealed record Step(long Left, char Op, long Right, long Result)
    {
        /// <inheritdoc />
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Left} {Op} {Right} = {Result}");
    }

    /// <summary>The steps of <paramref name="expression"/> (integer operations only: + - *).</summary>
    /// <exception cref="ArgumentException">The expression divides, or a value leaves the 64-bit range.</exception>
    public static IReadOnlyList<Step> Steps(Expr expression)
    {
        var steps = new List<Step>();
        Evaluate(expression, steps);
        return steps;
    }

    private static long Evaluate(Expr expression, List<Step> steps)
    {
        switch (expression)
        {
            case NumberExpr number:
                return number.Value;
            case BinaryExpr binary:
                long left = Evaluate(binary.Left, steps);
                long right = Evaluate(binary.Right, steps);
                long result = checked(binary.Op switch
                {
                    '+' => left + right,
                    '-' => left - right,
                    '*' => left * right,
                    _ => throw new ArgumentException($"worked solutions cover + - * only, not '{binary.Op}'", nameof(expression)),
                });
                steps.Add(new Step(left, binary.Op, right, result));
                return result;
            default:
                throw new ArgumentException($"unknown expression node {expression.GetType().Name}", nameof(expression));
        }
    }
}
