using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.RewardModels;

namespace DeepSeekR1.Actors.Rl.Tests.RewardModels;

public class RewardJsonlTests
{
    private static string Write(params string[] lines)
    {
        string path = Path.Combine(Path.GetTempPath(), $"r1-rm-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Preference_lines_are_read_with_their_ids()
    {
        string path = Write("{\"id\":\"a\",\"prompt\":\"p\",\"chosen\":\"good\",\"rejected\":\"bad\"}", "", "{\"prompt\":\"q\",\"chosen\":\"x\",\"rejected\":\"y\"}");
        var pairs = RewardJsonl.ReadPreferences(path).ToList();
        Assert.Equal(2, pairs.Count);
        Assert.Equal(new PreferencePair("a", "p", "good", "bad"), pairs[0]);
        Assert.EndsWith("-3", pairs[1].Id);
    }

    [Theory]
    [InlineData("{\"prompt\":\"p\",\"chosen\":\"good\"}", "key 'rejected': missing")]
    [InlineData("{\"prompt\":\"p\",\"chosen\":\"same\",\"rejected\":\"same\"}", "key 'rejected': is the same text")]
    [InlineData("{\"prompt\":\"p\",\"chosen\":1,\"rejected\":\"b\"}", "key 'chosen': expected a string")]
    [InlineData("not json", ":2:")]
    public void A_bad_preference_line_is_refused_with_file_and_line(string bad, string expected)
    {
        string path = Write("{\"prompt\":\"p\",\"chosen\":\"good\",\"rejected\":\"bad\"}", bad);
        var e = Assert.Throws<DatasetFormatException>(() => RewardJsonl.ReadPreferences(path).ToList());
        Assert.StartsWith($"{path}:2: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Safety_lines_need_a_safe_or_unsafe_label()
    {
        string path = Write("{\"prompt\":\"p\",\"response\":\"r\",\"label\":\"unsafe\",\"category\":\"fraud\"}",
                            "{\"prompt\":\"p\",\"response\":\"r\",\"label\":\"maybe\"}");
        var e = Assert.Throws<DatasetFormatException>(() => RewardJsonl.ReadSafety(path).ToList());
        Assert.Equal($"{path}:2: key 'label': is 'maybe', not \"safe\" or \"unsafe\"", e.Message);
        var first = RewardJsonl.ReadSafety(Write("{\"prompt\":\"p\",\"response\":\"r\",\"label\":\"unsafe\",\"category\":\"fraud\"}")).Single();
        Assert.False(first.Safe);
        Assert.Equal("fraud", first.Category);
    }
}
