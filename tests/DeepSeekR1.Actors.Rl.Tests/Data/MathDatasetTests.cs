using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Data;

public class MathDatasetTests
{
    [Fact]
    public void The_math_schema_reads_answer_level_subject_and_id_with_its_variants()
    {
        using var file = new TempFile("set.jsonl",
            """{"problem": "What is $1+1$?", "answer": "2", "level": 1, "subject": "Prealgebra", "unique_id": "test/prealgebra/1.json"}""",
            """{"problem": "Find $x$.", "solution": "So $x = \\boxed{\\frac{1}{2}}$ and not \\boxed{3} first... wait: \\boxed{\\frac12}", "level": "Level 3", "type": "Algebra"}""",
            """{"id": 60, "problem": "AIME style", "answer": "204", "url": "u"}""",
            """{"question": "A question field", "answer": 7, "level": "Level ?"}""");
        var items = MathDataset.Read(file.FilePath).ToArray();

        Assert.Equal(new TaskItem("test/prealgebra/1.json", "What is $1+1$?", "2", AnswerKind.Math, 1, "en", null, "Prealgebra"), items[0]);
        Assert.Equal(("set-2", "\\frac12", 3, ""), (items[1].Id, items[1].Gold, items[1].Level, items[1].Subject));   // the last \boxed{}
        Assert.Equal(("set-60", "204", 0), (items[2].Id, items[2].Gold, items[2].Level));
        Assert.Equal(("set-4", "A question field", "7", 0), (items[3].Id, items[3].Question, items[3].Gold, items[3].Level));
    }

    [Theory]
    [InlineData("""{"problem": "p"}""", "key 'answer': missing (and no solution")]
    [InlineData("""{"problem": "p", "solution": "no box here"}""", "key 'solution': has no \\boxed{} final answer")]
    [InlineData("""{"problem": "p", "answer": "1", "level": "Level 9"}""", "key 'level': 'Level 9' is not a level 1-5")]
    [InlineData("""{"answer": "1"}""", "key 'question': missing")]
    public void A_bad_line_names_the_file_line_and_key(string line, string expected)
    {
        using var file = new TempFile("bad.jsonl", """{"problem": "fine", "answer": "1"}""", line);
        var e = Assert.Throws<DatasetFormatException>(() => MathDataset.Read(file.FilePath).ToArray());
        Assert.StartsWith($"{file.FilePath}:2: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_shipped_math500_has_its_500_problems_by_level_and_seven_subjects_all_held_out()
    {
        var task = TaskCatalog.Get(TaskCatalog.Math500);
        var items = task.Items(TaskSplit.Test, 0).ToArray();
        Assert.Equal(500, items.Length);
        Assert.Equal([(1, 43), (2, 90), (3, 105), (4, 128), (5, 134)], items.GroupBy(i => i.Level).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())));
        Assert.Equal(7, items.Select(i => i.Subject).Distinct().Count());
        Assert.Equal(500, items.Select(i => i.Id).Distinct().Count());
        Assert.Empty(task.Items(TaskSplit.Train, 0));
    }

    [Fact]
    public void The_shipped_aime24_has_30_integer_answers()
    {
        var items = TaskCatalog.Get(TaskCatalog.Aime24).Items(TaskSplit.Test, 0).ToArray();
        Assert.Equal(30, items.Length);
        Assert.All(items, i => Assert.InRange(int.Parse(i.Gold), 0, 999));
    }

    [Fact]
    public void Math_takes_its_path_after_a_colon_or_from_the_data_setting_and_splits_a_single_file()
    {
        using var file = new TempFile("mine.jsonl", Enumerable.Range(0, 40).Select(i => $$"""{"problem": "q{{i}}", "answer": "{{i}}"}""").ToArray());
        var byColon = TaskCatalog.Get($"math:{file.FilePath}");
        var byPath = TaskCatalog.Get("math", file.FilePath);
        Assert.Equal(byPath.Items(TaskSplit.Train, 0).Select(i => i.Id), byColon.Items(TaskSplit.Train, 0).Select(i => i.Id));
        Assert.Equal(40, byColon.Items(TaskSplit.Train, 0).Count() + byColon.Items(TaskSplit.Test, 0).Count());
        Assert.Throws<ArgumentException>(() => TaskCatalog.Get("math"));
        Assert.Throws<ArgumentException>(() => TaskCatalog.Get("math:"));
        Assert.Contains("Unknown task 'algebra:x'", Assert.Throws<ArgumentException>(() => TaskCatalog.Get("algebra:x")).Message);
    }

    [Fact]
    public void Training_on_a_benchmark_is_refused_with_why()
    {
        var e = Assert.Throws<ArgumentException>(() => new DeepSeekR1.Actors.Rl.Training.TrainingPrompts(TaskCatalog.Get(TaskCatalog.Aime24), 1, 2));
        Assert.Contains("task 'aime24' is a benchmark: it has no training questions", e.Message);
    }
}
