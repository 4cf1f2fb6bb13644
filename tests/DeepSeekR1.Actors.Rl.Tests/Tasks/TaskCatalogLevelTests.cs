using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class TaskCatalogLevelTests
{
    [Theory]
    [InlineData("arithmetic:1-2", 1, 2)]
    [InlineData("Arithmetic:3", 3, 3)]
    [InlineData("countdown:2-5", 2, 5)]
    [InlineData("arithmetic", 1, 5)]
    public void A_level_range_restricts_a_generated_task(string name, int low, int high)
    {
        var task = (GeneratedTask)TaskCatalog.Get(name);
        Assert.Equal(low, task.LowestLevel);
        Assert.Equal(high, task.HighestLevel);
        Assert.All(task.Items(TaskSplit.Test, 7).Take(50), item => Assert.InRange(item.Level, low, high));
    }

    [Theory]
    [InlineData("arithmetic:0-2")]
    [InlineData("arithmetic:3-1")]
    [InlineData("arithmetic:x")]
    [InlineData("arithmetic:1-6")]
    [InlineData("gsm8k:1-2")]
    public void A_bad_level_range_is_refused_with_the_task_name(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => TaskCatalog.Get(name, "/tmp"));
        Assert.Contains(name, e.Message);
    }
}
