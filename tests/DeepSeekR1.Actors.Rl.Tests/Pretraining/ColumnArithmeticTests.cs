using System.Globalization;
using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Rl.Pretraining;

namespace DeepSeekR1.Actors.Rl.Tests.Pretraining;

public partial class ColumnArithmeticTests
{
    [Theory]
    [InlineData(37, '+', 48, "7 + 8 = 15, 3 + 4 + 1 = 8, 37 + 48 = 85")]
    [InlineData(99, '+', 99, "9 + 9 = 18, 9 + 9 + 1 = 19, 99 + 99 = 198")]
    [InlineData(40, '+', 7, "0 + 7 = 7, 4 + 0 = 4, 40 + 7 = 47")]
    [InlineData(73, '-', 48, "13 - 8 = 5, 7 - 1 - 4 = 2, 73 - 48 = 25")]
    [InlineData(78, '-', 43, "8 - 3 = 5, 7 - 4 = 3, 78 - 43 = 35")]
    [InlineData(52, '-', 47, "12 - 7 = 5, 5 - 1 - 4 = 0, 52 - 47 = 5")]
    [InlineData(48, '-', 73, "13 - 8 = 5, 7 - 1 - 4 = 2, 73 - 48 = 25, 48 - 73 = -25")]
    [InlineData(105, '-', 7, "15 - 7 = 8, 10 - 1 - 0 = 9, 1 - 1 - 0 = 0, 105 - 7 = 98")]
    [InlineData(30, '-', 30, "0 - 0 = 0, 3 - 3 = 0, 30 - 30 = 0")]
    public void Sums_and_differences_are_worked_column_by_column(long left, char op, long right, string expected)
    {
        var step = new WorkedSolution.Step(left, op, right, 0); // the result is recomputed, not trusted
        Assert.Equal(expected, string.Join(", ", ColumnArithmetic.Lines(step)));
    }

    [Theory]
    [InlineData(3, '+', 4, 7, "3 + 4 = 7")]            // one-digit operands are a column already
    [InlineData(12, '*', 34, 408, "12 * 34 = 408")]     // products stay whole
    [InlineData(-18, '+', 30, 12, "-18 + 30 = 12")]     // so do steps on negative values
    public void Other_steps_stay_whole(long left, char op, long right, long result, string expected) =>
        Assert.Equal([expected], ColumnArithmetic.Lines(new WorkedSolution.Step(left, op, right, result)));

    // a + b [+ 1] = s (the carry comes last) and a [- 1] - b = d (the borrow comes right after the top digit).
    [GeneratedRegex(@"^(\d+) \+ (\d+)( \+ 1)? = (\d+)$")]
    private static partial Regex AdditionColumn();

    [GeneratedRegex(@"^(\d+)( - 1)? - (\d+) = (\d+)$")]
    private static partial Regex SubtractionColumn();

    [Fact]
    public void Every_column_is_a_true_one_digit_fact_and_the_last_line_is_the_exact_result()
    {
        var random = new Random(5);
        for (int n = 0; n < 2000; n++)
        {
            long a = random.Next(0, 10_000), b = random.Next(0, 10_000);
            char op = random.Next(2) == 0 ? '+' : '-';
            var lines = ColumnArithmetic.Lines(new WorkedSolution.Step(a, op, b, 0));
            long exact = op == '+' ? a + b : a - b;
            Assert.EndsWith(" = " + exact.ToString(CultureInfo.InvariantCulture), lines[^1]);
            if (Math.Max(a, b) < 10) continue;
            int columns = Math.Max(a, b).ToString(CultureInfo.InvariantCulture).Length;
            for (int i = 0; i < columns; i++)
            {
                var match = (op == '+' ? AdditionColumn() : SubtractionColumn()).Match(lines[i]);
                Assert.True(match.Success, $"{a} {op} {b}: column {i} '{lines[i]}'");
                int bottomGroup = op == '+' ? 2 : 3, carryGroup = op == '+' ? 3 : 2;
                long top = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                long carry = match.Groups[carryGroup].Success ? 1 : 0;
                long bottom = long.Parse(match.Groups[bottomGroup].Value, CultureInfo.InvariantCulture);
                long value = long.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture);
                Assert.True(bottom < 10 && top < 20, lines[i]);
                Assert.Equal(op == '+' ? top + bottom + carry : top - carry - bottom, value);
            }
        }
    }
}
