using System.Globalization;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// Scores a Countdown answer: the answer must be an arithmetic expression (optionally followed by
/// <c>= target</c>) that uses only the puzzle's numbers, each at most as often as given, and whose exact
/// value is the target. Never throws: malformed, hostile or oversized answers score 0 with a reason.
/// </summary>
public static class CountdownChecker
{
    /// <summary>Checks <paramref name="answer"/> against the puzzle <paramref name="item"/>.</summary>
    /// <param name="answer">The model's final answer (already taken out of its answer tags).</param>
    /// <param name="item">A Countdown item: <see cref="TaskItem.Numbers"/> and the target in <see cref="TaskItem.Gold"/>.</param>
    /// <returns>1 with the solved equation, or 0 with why not.</returns>
    public static RewardResult Check(string? answer, TaskItem item)
    {
        if (item.Numbers is not { Count: > 0 } numbers
            || !long.TryParse(item.Gold, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long target))
        {
            return RewardResult.Fail("item is not a Countdown puzzle (needs numbers and a whole-number target)");
        }

        if (string.IsNullOrWhiteSpace(answer))
        {
            return RewardResult.Fail("empty answer");
        }

        if (answer.Length > ArithmeticExpression.MaxLength)
        {
            return RewardResult.Fail($"answer longer than {ArithmeticExpression.MaxLength} characters");
        }

        // "expression = target" is accepted; the stated result must then be the target itself.
        string[] sides = answer.Split('=');
        if (sides.Length > 2)
        {
            return RewardResult.Fail("more than one '='");
        }

        if (sides.Length == 2 && !StatesTarget(sides[1], target))
        {
            return RewardResult.Fail($"stated result '{Clip(sides[1].Trim())}' is not the target {target}");
        }

        if (!ArithmeticExpression.TryRead(sides[0], out Expr? expression, out string? error))
        {
            return RewardResult.Fail($"not an expression: {error}");
        }

        if (UsageProblem(expression!, numbers) is { } usage)
        {
            return RewardResult.Fail(usage);
        }

        if (expression!.Evaluate() is not { } value)
        {
            return RewardResult.Fail("division by zero");
        }

        return value == target
            ? RewardResult.Pass($"{expression} = {target}")
            : RewardResult.Fail($"{expression} = {value}, target {target}");
    }

    private static bool StatesTarget(string statedResult, long target) =>
        long.TryParse(statedResult.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long stated)
        && stated == target;

    // Compares how often each number is used with how often it is given.
    private static string? UsageProblem(Expr expression, IReadOnlyList<int> numbers)
    {
        var available = new Dictionary<long, int>();
        foreach (int n in numbers)
        {
            available[n] = available.GetValueOrDefault(n) + 1;
        }

        var used = new Dictionary<long, int>();
        foreach (long literal in expression.Literals())
        {
            int count = used[literal] = used.GetValueOrDefault(literal) + 1;
            int given = available.GetValueOrDefault(literal);
            if (given == 0)
            {
                return $"uses {literal}, which is not among the numbers";
            }

            if (count > given)
            {
                return given == 1 ? $"uses {literal} more than once" : $"uses {literal} more than {given} times";
            }
        }

        return null;
    }

    private static string Clip(string text) => text.Length <= 20 ? text : text[..20] + "...";
}
