using System.Globalization;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Data;

public class Gsm8kDatasetTests
{
    [Theory]
    [InlineData("test.jsonl", 1319)]
    [InlineData("train.jsonl", 7473)]
    public void LoadsEveryLine_WithNumericGolds(string fileName, int expected)
    {
        TaskItem[] items = Gsm8kDataset.Read(Path.Combine(Gsm8kFolder(), fileName)).ToArray();

        Assert.Equal(expected, items.Length);
        Assert.All(items, item =>
        {
            Assert.True(decimal.TryParse(item.Gold, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _), item.Gold);
            Assert.DoesNotContain(",", item.Gold);
            Assert.False(string.IsNullOrWhiteSpace(item.Question));
        });
        Assert.Equal(expected, items.Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public void FirstTestItem_IsJanetsDucks()
    {
        TaskItem first = Gsm8kDataset.Read(Path.Combine(Gsm8kFolder(), "test.jsonl")).First();
        Assert.Equal("gsm8k-test-1", first.Id);
        Assert.StartsWith("Janet", first.Question);
        Assert.Equal("18", first.Gold);
    }

    [Theory]
    [InlineData("so 5 + 5 = 10\n#### 1,234", "1234")]
    [InlineData("#### -7", "-7")]
    [InlineData("x #### 1 #### 2.5 ", "2.5")]
    [InlineData("no marker", null)]
    [InlineData("#### twelve", null)]
    public void ExtractFinalAnswer_TakesTheLastMarkedNumber(string solution, string? expected)
    {
        Assert.Equal(expected, Gsm8kDataset.ExtractFinalAnswer(solution));
    }

    [Fact]
    public void AnswerWithoutMarker_IsAFormatErrorNamingTheKey()
    {
        using var file = new TempFile("g.jsonl", """{"question": "q", "answer": "42"}""");
        var error = Assert.Throws<DatasetFormatException>(() => Gsm8kDataset.Read(file.FilePath).ToList());
        Assert.Equal("answer", error.Key);
        Assert.Equal(1, error.Line);
    }

    /// <summary>
    /// The GSM8K folder: $R1_GSM8K_DIR, else data/gsm8k or shared/data/gsm8k (the checkout's sibling shared/ folder)
    /// above the test binaries, else the machine's shared copy.
    /// </summary>
    internal static string Gsm8kFolder()
    {
        if (Environment.GetEnvironmentVariable("R1_GSM8K_DIR") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "data", "gsm8k"), Path.Combine(dir.FullName, "shared", "data", "gsm8k") })
            {
                if (File.Exists(Path.Combine(candidate, "test.jsonl")))
                {
                    return candidate;
                }
            }
        }

        return "/work/shared/data/gsm8k";
    }
}
