using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Evaluation;

public class EvalQuestionsTests
{
    private sealed class ListSource(params TaskItem[] items) : ITaskSource
    {
        public string Name => "list";

        public IEnumerable<TaskItem> Items(TaskSplit split, ulong seed) => items.Where(i => i.Id.StartsWith(split.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_generated_task_gives_the_first_held_out_items_of_the_seed()
    {
        var task = new ArithmeticTask();
        var settings = EvalSettings.Defaults with { Limit = 7, Seed = 99 };
        var chosen = EvalQuestions.Select(task, settings);
        Assert.Equal(task.Items(TaskSplit.Test, 99).Take(7).Select(i => i.Id), chosen.Select(i => i.Id));
        Assert.Equal(chosen.Select(i => i.Id), EvalQuestions.Select(task, settings).Select(i => i.Id));
    }

    [Fact]
    public void A_generated_task_needs_a_limit()
    {
        var error = Assert.Throws<ArgumentException>(() => EvalQuestions.Select(new CountdownTask(), EvalSettings.Defaults with { Limit = 0 }));
        Assert.Equal("limit", error.ParamName);
    }

    [Fact]
    public void A_finite_source_with_limit_zero_gives_every_item_of_the_split()
    {
        var source = new ListSource(new("Test-1", "a", "1"), new("Train-1", "b", "2"), new("Test-2", "c", "3"));
        Assert.Equal(["Test-1", "Test-2"], EvalQuestions.Select(source, EvalSettings.Defaults with { Limit = 0 }).Select(i => i.Id));
        Assert.Equal(["Train-1"], EvalQuestions.Select(source, EvalSettings.Defaults with { Limit = 0, Split = TaskSplit.Train }).Select(i => i.Id));
        Assert.Equal(["Test-1"], EvalQuestions.Select(source, EvalSettings.Defaults with { Limit = 1 }).Select(i => i.Id));
    }

    [Theory]
    [InlineData("samples")]
    [InlineData("temperature")]
    [InlineData("top-p")]
    [InlineData("max-new-tokens")]
    [InlineData("limit")]
    [InlineData("batch-size")]
    public void Settings_name_the_bad_key(string key)
    {
        var bad = key switch
        {
            "samples" => EvalSettings.Defaults with { Samples = 0 },
            "temperature" => EvalSettings.Defaults with { Temperature = -0.1 },
            "top-p" => EvalSettings.Defaults with { TopP = 0 },
            "max-new-tokens" => EvalSettings.Defaults with { MaxNewTokens = 0 },
            "limit" => EvalSettings.Defaults with { Limit = -1 },
            _ => EvalSettings.Defaults with { BatchSize = 0 },
        };
        Assert.Equal(key, Assert.Throws<ArgumentException>(() => bad.Validate()).ParamName);
    }
}
