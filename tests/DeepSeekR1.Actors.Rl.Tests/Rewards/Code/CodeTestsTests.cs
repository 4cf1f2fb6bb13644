using DeepSeekR1.Actors.Rl.Rewards.Code;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards.Code;

/// <summary>Splitting <c>assert CALL == EXPECTED</c> lines at their one top-level <c>==</c>.</summary>
public class CodeTestsTests
{
    [Fact]
    public void Each_line_splits_at_its_top_level_equals()
    {
        var tests = CodeTests.Parse("assert f('a==b', [x == 1 for x in y]) == ('==', 2)\n\nassert g(1) == {'k': \"v\\\"==\"}");

        Assert.Equal(new CodeTest("f('a==b', [x == 1 for x in y])", "('==', 2)"), tests[0]);
        Assert.Equal(new CodeTest("g(1)", "{'k': \"v\\\"==\"}"), tests[1]);
    }

    [Theory]
    [InlineData("f(1) == 2", "does not start with 'assert '")]
    [InlineData("assert f(1)", "found 0")]
    [InlineData("assert f(1) == 2 == 2", "found 2")]
    [InlineData("assert f(1) != 2", "found 0")]
    [InlineData("assert f(1) <= 2", "found 0")]
    [InlineData("assert  == 2", "empty side")]
    [InlineData("", "no tests")]
    public void Lines_that_are_not_one_equality_are_refused(string gold, string message)
    {
        var error = Assert.Throws<FormatException>(() => CodeTests.Parse(gold));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
