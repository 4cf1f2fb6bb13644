using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Tests.Data;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class FittedTaskSourceTests
{
    [Fact]
    public void Questions_that_do_not_fit_are_left_out_of_every_enumeration_and_counted_per_split()
    {
        using var file = new TempFile("qa.jsonl",
            "{\"question\": \"short one\", \"answer\": \"1\"}",
            "{\"question\": \"" + new string('x', 50) + "\", \"answer\": \"2\"}",
            "{\"question\": \"short two\", \"answer\": \"3\"}");
        var folder = Path.Combine(file.Folder, "set");
        Directory.CreateDirectory(folder);
        File.Copy(file.FilePath, Path.Combine(folder, FileTaskSource.TrainFileName));
        File.WriteAllLines(Path.Combine(folder, FileTaskSource.TestFileName), ["{\"question\": \"short test\", \"answer\": \"4\"}"]);
        var inner = new FileTaskSource("jsonl", folder, path => QaJsonlDataset.Read(path));

        var fitted = FittedTaskSource.Check(inner, item => item.Question.Length < 20, 0);

        Assert.Equal(new SplitFit(3, 1, "train-2"), fitted.Splits[TaskSplit.Train]);
        Assert.Equal(new SplitFit(1, 0, null), fitted.Splits[TaskSplit.Test]);
        Assert.Equal(["short one", "short two"], fitted.Items(TaskSplit.Train, 0).Select(i => i.Question));
        Assert.Equal(["short one", "short two"], fitted.Items(TaskSplit.Train, 7).Select(i => i.Question));   // again, the same
        Assert.Equal(["short test"], fitted.Items(TaskSplit.Test, 0).Select(i => i.Question));
        Assert.Equal("jsonl", fitted.Name);
    }
}
