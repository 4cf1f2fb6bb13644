using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Tests.Data;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class TaskCatalogTests
{
    [Fact]
    public void GeneratedTasks_AreFoundByName()
    {
        Assert.IsType<ArithmeticTask>(TaskCatalog.Get("arithmetic"));
        Assert.IsType<CountdownTask>(TaskCatalog.Get("Countdown"));
        Assert.Equal(TaskCatalog.Names, TaskCatalog.Names.Select(n => TaskCatalog.Get(n, Gsm8kDatasetTests.Gsm8kFolder()).Name));
    }

    [Fact]
    public void Gsm8k_ReadsTheFoldersSplits()
    {
        ITaskSource gsm8k = TaskCatalog.Get("gsm8k", Gsm8kDatasetTests.Gsm8kFolder());
        Assert.Equal(1319, gsm8k.Items(TaskSplit.Test, 0).Count());
        Assert.StartsWith("gsm8k-train-", gsm8k.Items(TaskSplit.Train, 0).First().Id);
    }

    [Fact]
    public void UnknownNames_AndMissingPaths_AreExplained()
    {
        var unknown = Assert.Throws<ArgumentException>(() => TaskCatalog.Get("chess"));
        Assert.Contains("arithmetic, countdown, gsm8k, jsonl", unknown.Message);
        Assert.Throws<ArgumentException>(() => TaskCatalog.Get("gsm8k"));
        Assert.Throws<FileNotFoundException>(() => TaskCatalog.Get("jsonl", "/no/such/file.jsonl"));
    }

    [Fact]
    public void SingleJsonlFile_IsSplitByQuestionHash()
    {
        string[] lines = Enumerable.Range(0, 400).Select(i => $$"""{"question": "Question {{i}}?", "answer": "{{i}}"}""").ToArray();
        using var file = new TempFile("own.jsonl", lines);
        ITaskSource source = TaskCatalog.Get("jsonl", file.FilePath);

        TaskItem[] train = source.Items(TaskSplit.Train, 0).ToArray();
        TaskItem[] test = source.Items(TaskSplit.Test, 0).ToArray();

        Assert.Equal(400, train.Length + test.Length);
        Assert.InRange(test.Length, 20, 70); // about one in ten
        Assert.Empty(train.Select(i => i.Question).Intersect(test.Select(i => i.Question)));
        Assert.All(test, item => Assert.Equal(TaskSplit.Test, SplitAssignment.Of(item.Question)));
    }
}
