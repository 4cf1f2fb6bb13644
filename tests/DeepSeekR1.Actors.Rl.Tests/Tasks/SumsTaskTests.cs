using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class SumsTaskTests
{
    [Theory]
    [InlineData(1, 0, 9)]
    [InlineData(2, 10, 99)]
    [InlineData(3, 100, 999)]
    [InlineData(4, 1000, 9999)]
    [InlineData(5, 10000, 99999)]
    public void A_level_is_two_numbers_of_that_many_digits_added_or_subtracted(int level, long min, long max)
    {
        var task = new SumsTask();
        var operators = new HashSet<char>();
        bool negative = false;
        for (ulong seed = 0; seed < 300; seed++)
        {
            var generated = task.Sample(TaskSplit.Train, level, seed);
            string expression = generated.Solution[..generated.Solution.IndexOf(" = ", StringComparison.Ordinal)];
            Assert.True(ArithmeticExpression.TryRead(expression, out Expr? parsed, out string? error), error);
            var binary = Assert.IsType<BinaryExpr>(parsed);
            operators.Add(binary.Op);
            Assert.All(parsed!.Literals(), n => Assert.InRange(n, min, max));
            Assert.Equal(parsed.Evaluate()!.Value.ToString(), generated.Item.Gold);
            Assert.Equal(level, generated.Item.Level);
            Assert.StartsWith($"sums-l{level}-", generated.Item.Id);
            Assert.Contains(expression, generated.Item.Question);
            negative |= generated.Item.Gold.StartsWith('-');
        }
        Assert.Equal(new HashSet<char> { '+', '-' }, operators);
        // One-digit facts stay non-negative; from two digits on a difference can go below zero, as in the arithmetic task.
        Assert.Equal(level > 1, negative);
    }

    [Fact]
    public void The_splits_are_disjoint_and_the_catalog_takes_a_level_range()
    {
        var task = Assert.IsType<SumsTask>(TaskCatalog.Get("sums:3-5"));
        Assert.Equal((3, 5), (task.LowestLevel, task.HighestLevel));
        Assert.Equal("sums", task.Name);
        var train = task.Items(TaskSplit.Train, 5).Take(600).Select(i => i.Id).ToHashSet();
        var test = task.Items(TaskSplit.Test, 5).Take(600).ToArray();
        Assert.DoesNotContain(test, i => train.Contains(i.Id));
        // Levels take turns, so a prefix of the sequence has every level equally often.
        Assert.Equal([200, 200, 200], test.GroupBy(i => i.Level).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Throws<ArgumentException>(() => TaskCatalog.Get("sums:0-6"));
    }

    [Fact]
    public void The_same_seed_gives_the_same_questions()
    {
        var a = new SumsTask().Items(TaskSplit.Test, 42).Take(50).ToArray();
        var b = new SumsTask().Items(TaskSplit.Test, 42).Take(50).ToArray();
        var c = new SumsTask().Items(TaskSplit.Test, 43).Take(50).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
