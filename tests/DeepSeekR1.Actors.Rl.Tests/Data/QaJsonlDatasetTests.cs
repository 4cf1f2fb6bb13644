using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Data;

public class QaJsonlDatasetTests
{
    [Fact]
    public void ReadsAllFields_AndDefaults()
    {
        using var file = new TempFile(
            "mine.jsonl",
            """{"question": "What is 2+2?", "answer": "4"}""",
            "",
            """{"question": "Half of 3?", "answer": 1.5, "level": 2, "language": "zh", "id": "q-half"}""",
            """{"question": "Reach 10", "answer": "10", "numbers": [2, 5]}""");

        TaskItem[] items = QaJsonlDataset.Read(file.FilePath).ToArray();

        Assert.Equal(3, items.Length);
        Assert.Equal(new TaskItem("mine-1", "What is 2+2?", "4"), items[0] with { Numbers = null });
        Assert.Equal("q-half", items[1].Id);
        Assert.Equal("1.5", items[1].Gold);
        Assert.Equal(2, items[1].Level);
        Assert.Equal("zh", items[1].Language);
        Assert.Equal(AnswerKind.CountdownExpression, items[2].Kind);
        Assert.Equal([2, 5], items[2].Numbers!);
        Assert.Equal("mine-4", items[2].Id); // ids follow line numbers, blank lines included
    }

    [Fact]
    public void The_question_and_answer_fields_are_configurable_and_a_missing_one_is_named()
    {
        using var file = new TempFile(
            "named.jsonl",
            """{"problem": "What is 2+2?", "final_answer": 4, "answer": "ignored"}""",
            """{"problem": "What is 3+3?", "answer": "6"}""");
        var fields = QaJsonlFields.Defaults with { QuestionField = "problem", AnswerField = "final_answer" };

        var error = Assert.Throws<DatasetFormatException>(() => QaJsonlDataset.Read(file.FilePath, fields: fields).ToList());
        Assert.StartsWith($"{file.FilePath}:2:", error.Message);
        Assert.Equal("final_answer", error.Key);

        var first = QaJsonlDataset.Read(file.FilePath, fields: fields).First();
        Assert.Equal(("What is 2+2?", "4"), (first.Question, first.Gold));
        Assert.Equal(("question", "answer"), (QaJsonlFields.Defaults.QuestionField, QaJsonlFields.Defaults.AnswerField));
        Assert.Throws<ArgumentException>(() => QaJsonlDataset.Read(file.FilePath, fields: fields with { AnswerField = "problem" }).ToList());
        // The catalog hands the fields to the jsonl task.
        using var good = new TempFile("good.jsonl", """{"problem": "What is 2+2?", "final_answer": 4}""");
        var task = TaskCatalog.Get("jsonl", good.FilePath, fields);
        Assert.Contains(task.Items(TaskSplit.Test, 1).Concat(task.Items(TaskSplit.Train, 1)), i => i.Gold == "4");
    }

    [Theory]
    [InlineData("""{"question": "q", "answer": "a"} trailing""", null)]
    [InlineData("""{"answer": "a"}""", "question")]
    [InlineData("""{"question": 5, "answer": "a"}""", "question")]
    [InlineData("""{"question": "q", "answer": ["a"]}""", "answer")]
    [InlineData("""{"question": "q", "answer": "a", "level": 6}""", "level")]
    [InlineData("""{"question": "q", "answer": "a", "level": 2.5}""", "level")]
    [InlineData("""{"question": "q", "answer": "a", "language": 1}""", "language")]
    [InlineData("""{"question": "q", "answer": "a", "numbers": [1, "x"]}""", "numbers")]
    [InlineData("""["question", "answer"]""", null)]
    public void MalformedLine3_NamesFileLineAndKey(string badLine, string? key)
    {
        using var file = new TempFile(
            "bad.jsonl",
            """{"question": "one", "answer": "1"}""",
            """{"question": "two", "answer": "2"}""",
            badLine,
            """{"question": "four", "answer": "4"}""");

        var error = Assert.Throws<DatasetFormatException>(() => QaJsonlDataset.Read(file.FilePath).ToList());

        Assert.StartsWith($"{file.FilePath}:3:", error.Message);
        Assert.Equal(3, error.Line);
        Assert.Equal(key, error.Key);
        if (key is not null)
        {
            Assert.Contains($"'{key}'", error.Message);
        }
    }

    [Fact]
    public void LenientMode_CollectsErrorsAndKeepsGoodLines()
    {
        using var file = new TempFile(
            "mixed.jsonl",
            """{"question": "one", "answer": "1"}""",
            "not json",
            """{"question": "three"}""",
            """{"question": "four", "answer": "4"}""");
        var errors = new List<DatasetFormatException>();

        TaskItem[] items = QaJsonlDataset.Read(file.FilePath, errors).ToArray();

        Assert.Equal(["one", "four"], items.Select(i => i.Question));
        Assert.Equal([2, 3], errors.Select(e => e.Line));
        Assert.Equal("answer", errors[1].Key);
    }

    [Fact]
    public void SftPairs_ReadWithTheSameDiscipline()
    {
        using var file = new TempFile(
            "sft.jsonl",
            """{"prompt": "Q: 1+1?", "completion": "<think>1+1=2</think> <answer>2</answer>"}""",
            """{"prompt": "Q: 2+2?", "completion": "<think>4</think> <answer>4</answer>", "id": "x"}""",
            """{"prompt": "Q: 3+3?"}""");

        var errors = new List<DatasetFormatException>();
        SftPair[] pairs = SftJsonl.Read(file.FilePath, errors).ToArray();

        Assert.Equal(new SftPair("sft-1", "Q: 1+1?", "<think>1+1=2</think> <answer>2</answer>"), pairs[0]);
        Assert.Equal("x", pairs[1].Id);
        DatasetFormatException error = Assert.Single(errors);
        Assert.Equal("completion", error.Key);
        Assert.Contains("sft.jsonl:3:", error.Message);
        Assert.Throws<DatasetFormatException>(() => SftJsonl.Read(file.FilePath).ToList());
    }

    [Fact]
    public void Reading_IsLazy()
    {
        // Only the lines consumed are parsed: a bad line after them does not stop a partial read.
        using var file = new TempFile("lazy.jsonl", """{"question": "one", "answer": "1"}""", "broken");
        Assert.Equal("one", QaJsonlDataset.Read(file.FilePath).First().Question);
    }
}
