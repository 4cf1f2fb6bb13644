using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

/// <summary>Properties every generated task must have: determinism, stable ids, disjoint splits, balanced levels.</summary>
public class GeneratedTaskTests
{
    public static TheoryData<string> TaskNames => new() { "arithmetic", "countdown" };

    private static GeneratedTask Task(string name) => (GeneratedTask)TaskCatalog.Get(name);

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void SameSeed_SameItems_DifferentSeed_DifferentItems(string name)
    {
        TaskItem[] first = Task(name).Items(TaskSplit.Train, 1234).Take(200).ToArray();
        TaskItem[] again = Task(name).Items(TaskSplit.Train, 1234).Take(200).ToArray();
        TaskItem[] other = Task(name).Items(TaskSplit.Train, 1235).Take(200).ToArray();

        Assert.Equal(first, again, ItemComparer.Instance);
        Assert.True(first.Zip(other).Count(pair => pair.First.Id != pair.Second.Id) > 150);
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void ItemAt_MatchesTheSequence_SoAnyIndexCanBeRecomputed(string name)
    {
        GeneratedTask task = Task(name);
        TaskItem[] sequence = task.Items(TaskSplit.Test, 9).Take(50).ToArray();
        Assert.Equal(sequence[37], task.ItemAt(TaskSplit.Test, 9, 37).Item, ItemComparer.Instance);
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void TrainAndTest_AreDisjoint_AcrossSeeds(string name)
    {
        GeneratedTask task = Task(name);
        var testQuestions = new HashSet<string>();
        var testIds = new HashSet<string>();
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            foreach (TaskItem item in task.Items(TaskSplit.Test, seed).Take(1500))
            {
                testQuestions.Add(Canonical(item));
                testIds.Add(item.Id);
            }
        }

        int trainCount = 0;
        foreach (ulong seed in new ulong[] { 4, 5, 6 })
        {
            foreach (TaskItem item in task.Items(TaskSplit.Train, seed).Take(3000))
            {
                Assert.DoesNotContain(Canonical(item), testQuestions);
                Assert.DoesNotContain(item.Id, testIds);
                trainCount++;
            }
        }

        Assert.Equal(9000, trainCount);
        Assert.True(testQuestions.Count > 1000, $"only {testQuestions.Count} distinct test questions");
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void Levels_AreBalanced_AndIdsNameTheirLevel(string name)
    {
        TaskItem[] items = Task(name).Items(TaskSplit.Train, 77).Take(1000).ToArray();
        foreach (IGrouping<int, TaskItem> level in items.GroupBy(i => i.Level))
        {
            Assert.InRange(level.Key, 1, 5);
            Assert.Equal(200, level.Count());
            Assert.All(level, item => Assert.Matches($"^[a-z]+-l{level.Key}-[0-9a-f]{{12}}$", item.Id));
        }

        Assert.Equal(5, items.Select(i => i.Level).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void SameContent_HasTheSameId(string name)
    {
        // Ids come from content, not from the seed: equal ids mean equal questions and golds.
        var byId = new Dictionary<string, TaskItem>();
        foreach (TaskItem item in Task(name).Items(TaskSplit.Train, 3).Take(3000))
        {
            if (byId.TryGetValue(item.Id, out TaskItem? earlier))
            {
                Assert.Equal(earlier.Gold, item.Gold);
                Assert.Equal(Canonical(earlier), Canonical(item));
            }

            byId[item.Id] = item;
        }
    }

    [Fact]
    public void LevelRange_CanBeRestricted()
    {
        var task = new CountdownTask(4, 5);
        Assert.All(task.Items(TaskSplit.Train, 1).Take(50), item => Assert.InRange(item.Level, 4, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArithmeticTask(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArithmeticTask(4, 3));
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void EveryLevel_HasHeldOutItems(string name)
    {
        GeneratedTask task = Task(name);
        for (int level = 1; level <= 5; level++)
        {
            GeneratedItem item = task.Sample(TaskSplit.Test, level, 555);
            Assert.Equal(level, item.Item.Level);
            Assert.Equal(TaskSplit.Test, SplitAssignment.Of(item.CanonicalContent));
        }
    }

    // The question without its wording: arithmetic templates vary the phrasing of the same expression.
    private static string Canonical(TaskItem item) => item.Kind == AnswerKind.CountdownExpression
        ? string.Join(",", item.Numbers!.Order()) + "=" + item.Gold
        : item.Question[(item.Question.IndexOfAny("0123456789(".ToCharArray()))..].TrimEnd('?', '.');

    private sealed class ItemComparer : IEqualityComparer<TaskItem>
    {
        public static readonly ItemComparer Instance = new();

        // Records compare lists by reference; compare the numbers by value.
        public bool Equals(TaskItem? x, TaskItem? y) =>
            x is not null && y is not null
            && x with { Numbers = null } == y with { Numbers = null }
            && (x.Numbers ?? []).SequenceEqual(y.Numbers ?? []);

        public int GetHashCode(TaskItem obj) => obj.Id.GetHashCode();
    }
}
