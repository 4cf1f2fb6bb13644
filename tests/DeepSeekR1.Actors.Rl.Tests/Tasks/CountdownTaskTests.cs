using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class CountdownTaskTests
{
    private static readonly CountdownTask Task = new();

    [Fact]
    public void EveryGeneratedPuzzle_IsSolvedByItsOwnSolution()
    {
        foreach (TaskSplit split in new[] { TaskSplit.Train, TaskSplit.Test })
        {
            for (long index = 0; index < 2500; index++)
            {
                GeneratedItem generated = Task.ItemAt(split, 2024, index);
                RewardResult result = CountdownChecker.Check(generated.Solution, generated.Item);
                Assert.True(result.Value == 1.0, $"{generated.Item.Question} / {generated.Solution}: {result.Reason}");
            }
        }
    }

    [Theory]
    [InlineData(1, 2, 2, 100)]
    [InlineData(2, 3, 10, 200)]
    [InlineData(3, 4, 20, 300)]
    [InlineData(4, 5, 100, 600)]
    [InlineData(5, 6, 100, 999)]
    public void Levels_GrowTheNumbersAndTargets(int level, int count, long minTarget, long maxTarget)
    {
        for (ulong seed = 0; seed < 300; seed++)
        {
            TaskItem item = Task.Sample(TaskSplit.Train, level, seed).Item;
            Assert.Equal(AnswerKind.CountdownExpression, item.Kind);
            Assert.Equal(count, item.Numbers!.Count);
            long target = long.Parse(item.Gold);
            Assert.InRange(target, minTarget, maxTarget);
            Assert.DoesNotContain((int)target, item.Numbers);
            Assert.Equal(CountdownTask.QuestionFor(item.Numbers, target), item.Question);
        }
    }

    [Fact]
    public void Question_ReadsLikeTheBrief()
    {
        Assert.Equal(
            "Using the numbers [3, 7, 25, 50], create an equation that equals 75. You may use +, -, *, / and each number at most once.",
            CountdownTask.QuestionFor([3, 7, 25, 50], 75));
    }

    [Fact]
    public void Targets_AreSpreadOut()
    {
        // A degenerate generator (always the sum, say) would give few distinct targets.
        var targets = Enumerable.Range(0, 500).Select(seed => Task.Sample(TaskSplit.Train, 5, (ulong)seed).Item.Gold).ToHashSet();
        Assert.True(targets.Count > 250, $"{targets.Count} distinct targets");
    }
}
