using System.Globalization;
using System.Text.Json;
using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

public class Gsm8kGoldTests
{
    private static readonly string DataFolder = DeepSeekR1.Actors.Rl.Tests.Data.Gsm8kDatasetTests.Gsm8kFolder();

    [Theory]
    [InlineData("She makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18", "18")]
    [InlineData("...\n#### 1,450,000", "1450000")]
    [InlineData("#### $18", "18")]
    [InlineData("#### -3", "-3")]
    [InlineData("#### 2.50", "2.5")]
    [InlineData("#### 18.", "18")]
    [InlineData("a #### 5 then\n#### 7", "7")]
    public void Parses_the_number_after_the_marker(string field, string expected)
    {
        Assert.Equal(expected, Gsm8kGold.Parse(field));
    }

    [Theory]
    [InlineData("no marker here")]
    [InlineData("#### ")]
    [InlineData("#### twelve")]
    public void Rejects_fields_without_a_number(string field)
    {
        Assert.False(Gsm8kGold.TryParse(field, out _));
        Assert.Throws<FormatException>(() => Gsm8kGold.Parse(field));
    }

    [Theory]
    [InlineData("test.jsonl", 1319)]
    [InlineData("train.jsonl", 7473)]
    public void Parses_every_record_of_the_dataset_to_a_finite_number(string file, int expectedRecords)
    {
        var path = Path.Combine(DataFolder, file);
        Assert.True(File.Exists(path), $"dataset missing: {path}");
        var records = 0;
        var withSeparators = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            records++;
            using var document = JsonDocument.Parse(line);
            var answer = document.RootElement.GetProperty("answer").GetString()!;
            var gold = Gsm8kGold.Parse(answer);
            var value = double.Parse(gold, CultureInfo.InvariantCulture);
            Assert.True(double.IsFinite(value), $"{file}:{records}: {gold}");
            if (answer[answer.LastIndexOf("####", StringComparison.Ordinal)..].Contains(','))
                withSeparators++;
            // The raw marker text and the parsed gold must be the same number to the verifier.
            var raw = answer[(answer.LastIndexOf("####", StringComparison.Ordinal) + 4)..].Trim();
            Assert.True(MathAnswer.AreEquivalent(raw, gold).Value == 1.0, $"{file}:{records}: '{raw}' vs '{gold}'");
        }
        Assert.Equal(expectedRecords, records);
        Assert.True(withSeparators > 0, "the dataset has answers with thousands separators; none were seen");
    }
}
