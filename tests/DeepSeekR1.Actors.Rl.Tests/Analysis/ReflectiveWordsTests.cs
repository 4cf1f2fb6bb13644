using DeepSeekR1.Actors.Rl.Analysis;

namespace DeepSeekR1.Actors.Rl.Tests.Analysis;

public class ReflectiveWordsTests
{
    private static int CountOf(string text, string word) => ReflectiveWords.Count(text)[ReflectiveWords.Words.ToList().IndexOf(word)];

    [Fact]
    public void The_ten_words_are_the_papers_in_its_order()
    {
        Assert.Equal(["wait", "mistake", "however", "but", "retry", "error", "verify", "wrong", "evaluate", "check"], ReflectiveWords.Words);
    }

    [Fact]
    public void Words_count_whole_and_case_insensitively()
    {
        const string text = "<think>Wait, 3+4 is 7. WAIT. wait... But I should check: checked, checking, rechecks. "
            + "A button is not but. However it's an error, an Error-prone errors list. Verify! evaluate(re-evaluate) wrong/mistake, retry.</think>";
        Assert.Equal(3, CountOf(text, "wait"));
        Assert.Equal(2, CountOf(text, "but"));          // "But", "but."; not "button"
        Assert.Equal(1, CountOf(text, "check"));        // not "checked", "checking", "rechecks"
        Assert.Equal(2, CountOf(text, "error"));        // "error", "Error-prone"; not "errors"
        Assert.Equal(2, CountOf(text, "evaluate"));     // "evaluate(" and the "evaluate" of "re-evaluate" (a hyphen is a boundary)
        Assert.Equal([3, 1, 1, 2, 1, 2, 1, 1, 2, 1], ReflectiveWords.Count(text));
    }

    [Fact]
    public void Text_without_the_words_counts_zero()
    {
        Assert.All(ReflectiveWords.Count("<think>waiting for the verifier</think><answer>12</answer>"), c => Assert.Equal(0, c));
        Assert.All(ReflectiveWords.Count(""), c => Assert.Equal(0, c));
        Assert.All(ReflectiveWords.Count(null), c => Assert.Equal(0, c));
    }

    [Fact]
    public void A_huge_hostile_text_is_counted_in_linear_time()
    {
        string text = string.Concat(Enumerable.Repeat("waitwait wait ", 5000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(5000, ReflectiveWords.Count(text)[0]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }
}
