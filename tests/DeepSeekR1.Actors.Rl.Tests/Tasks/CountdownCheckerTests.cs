using DeepSeekR1.Actors.Rl.Numerics;
using System.Diagnostics;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class CountdownCheckerTests
{
    private static readonly TaskItem Puzzle = new(
        "countdown-test", CountdownTask.QuestionFor([3, 7, 25, 50], 75), "75", AnswerKind.CountdownExpression, 3, "en", [3, 7, 25, 50]);

    private static readonly TaskItem PuzzleWithRepeats = Puzzle with { Numbers = [5, 5, 2], Gold = "50" };

    [Theory]
    [InlineData("25 + 50", "25 + 50 = 75")]
    [InlineData("(50 - 25) * 3", "(50 - 25) * 3 = 75")]
    [InlineData("50 + 25 = 75", "50 + 25 = 75")]
    [InlineData("3 * 25", "3 * 25 = 75")]
    [InlineData(" ( 50 − 25 ) × 3 ", "(50 - 25) * 3 = 75")]
    // Read by the math verifier's parser, as every answer is: LaTeX operators and fractions mean what they say.
    [InlineData("(50 - 25) \\times 3", "(50 - 25) * 3 = 75")]
    [InlineData("\\frac{25 \\cdot 7 + 50}{3}", "(25 * 7 + 50) / 3 = 75")]
    [InlineData("3(50 - 25)", "3 * (50 - 25) = 75")]
    public void ValidAnswers_Pass(string answer, string expectedReason)
    {
        Assert.Equal(RewardResult.Pass(expectedReason), CountdownChecker.Check(answer, Puzzle));
    }

    [Theory]
    [InlineData("25 + 50 + 3", "= 78, target 75")]
    [InlineData("50 / 3 + 25", "= 125/3, target 75")]
    [InlineData("25 + 25 + 25", "uses 25 more than once")]
    [InlineData("75", "uses 75, which is not among the numbers")]
    [InlineData("70 + 5", "uses 70, which is not among the numbers")]
    [InlineData("50 / (7 - 7)", "uses 7 more than once")]
    [InlineData("50 / 2.5 * 3", "only whole numbers")]
    [InlineData("25 + 50 = 76", "stated result '76' is not the target 75")]
    [InlineData("25 + 50 = 75 = 75", "more than one '='")]
    [InlineData("", "empty answer")]
    [InlineData("   ", "empty answer")]
    [InlineData(null, "empty answer")]
    [InlineData("I think it is 75", "not an expression")]
    [InlineData("-25 + 100", "unary minus")]
    [InlineData("\\frac{50}{2}", "uses 2, which is not among the numbers")]
    [InlineData("25 + 50 + x", "unexpected 'x'")]
    [InlineData("3^2 + 50 + 7 + 9", "powers are not allowed")]
    [InlineData("\\sqrt{25} + 70", "functions are not allowed")]
    public void Failures_HaveReasons(string? answer, string reasonPart)
    {
        RewardResult result = CountdownChecker.Check(answer, Puzzle);
        Assert.Equal(0.0, result.Value);
        Assert.Contains(reasonPart, result.Reason);
    }

    [Fact]
    public void DivisionByZero_ScoresZero()
    {
        var item = Puzzle with { Numbers = [5, 5, 2, 7], Gold = "7" };
        RewardResult result = CountdownChecker.Check("7 / (5 - 5)", item);
        Assert.Equal(RewardResult.Fail("division by zero"), result);
    }

    [Fact]
    public void RepeatedNumbers_MayBeUsedAsOftenAsGiven()
    {
        Assert.Equal(1.0, CountdownChecker.Check("5 * 5 * 2", PuzzleWithRepeats).Value);
        RewardResult tooMany = CountdownChecker.Check("5 * 5 * 2 * 5 / 5", PuzzleWithRepeats);
        Assert.Equal(0.0, tooMany.Value);
        Assert.Contains("uses 5 more than 2 times", tooMany.Reason);
    }

    [Fact]
    public void ExactRationalArithmetic_AcceptsFractionalIntermediates()
    {
        // 7 / 3 is not a whole number, but (7 / 3) * 3 is exactly 7: no floating-point error.
        var item = Puzzle with { Numbers = [7, 3, 3], Gold = "7" };
        Assert.Equal(1.0, CountdownChecker.Check("7 / 3 * 3", item).Value);
    }

    [Fact]
    public void NonCountdownItem_ScoresZero()
    {
        var item = new TaskItem("m", "What is 1 + 1?", "2");
        Assert.Equal(0.0, CountdownChecker.Check("1 + 1", item).Value);
        Assert.Equal(0.0, CountdownChecker.Check("25 + 50", Puzzle with { Gold = "seventy-five" }).Value);
    }

    [Fact]
    public void HugeAndHostileInputs_AreRejectedFast()
    {
        string[] hostile =
        [
            string.Concat(Enumerable.Repeat("25+", 1_000_000)) + "50",
            new string('(', 100_000) + "25" + new string(')', 100_000),
            new string('9', 5_000_000),
            string.Concat(Enumerable.Repeat("=", 10_000)),
            "(((((((((((((((((((((((((25)))))))))))))))))))))))))",
        ];

        var clock = Stopwatch.StartNew();
        foreach (string answer in hostile)
        {
            Assert.Equal(0.0, CountdownChecker.Check(answer, Puzzle).Value);
        }

        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
    }
}
