using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class ArithmeticTaskTests
{
    private static readonly ArithmeticTask Task = new();

    [Fact]
    public void Gold_IsTheExactValueOfTheQuestionsExpression()
    {
        foreach (TaskItem item in Task.Items(TaskSplit.Train, 8).Take(1000))
        {
            string expression = item.Question[(item.Question.IndexOfAny("0123456789(".ToCharArray()))..].TrimEnd('?', '.');
            Assert.True(ArithmeticExpression.TryRead(expression, out Expr? parsed, out string? error), error);
            Assert.Equal(item.Gold, parsed!.Evaluate()!.Value.ToString());
            Assert.Equal(AnswerKind.Math, item.Kind);
            Assert.Matches(@"^-?\d+$", item.Gold);
        }
    }

    [Theory]
    [InlineData(1, 2, 0, 9, false)]
    [InlineData(2, 2, 10, 99, false)]
    [InlineData(3, 3, 2, 99, false)]
    [InlineData(4, 3, 10, 999, true)]
    [InlineData(5, 4, 100, 9999, true)]
    public void Levels_HaveTheirShape(int level, int operands, long min, long max, bool parentheses)
    {
        for (ulong seed = 0; seed < 200; seed++)
        {
            GeneratedItem generated = Task.Sample(TaskSplit.Train, level, seed);
            string expression = generated.Solution[..generated.Solution.IndexOf(" = ", StringComparison.Ordinal)];
            Assert.True(ArithmeticExpression.TryRead(expression, out Expr? parsed, out _));
            long[] literals = parsed!.Literals().ToArray();
            Assert.Equal(operands, literals.Length);
            Assert.All(literals, n => Assert.InRange(n, min, max));
            Assert.Equal(parentheses, expression.Contains('('));
            if (level == 1)
            {
                Assert.True(long.Parse(generated.Item.Gold) >= 0);
            }
        }
    }

    [Fact]
    public void Level5_UsesMultiplication()
    {
        int withTimes = Enumerable.Range(0, 100)
            .Count(seed => Task.Sample(TaskSplit.Train, 5, (ulong)seed).Item.Question.Contains('*'));
        Assert.True(withTimes > 50, $"{withTimes} of 100");
    }

    [Fact]
    public void Questions_AreShortEnglish()
    {
        TaskItem item = Task.Sample(TaskSplit.Train, 2, 1).Item;
        Assert.Matches(@"^(What is|Calculate|Compute|Evaluate|What is the value of) \d+ [+-] \d+[?.]$", item.Question);
        Assert.Equal("en", item.Language);
    }
}
