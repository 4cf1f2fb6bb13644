using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

public class LanguageConsistencyTests
{
    [Theory]
    [InlineData("First add the numbers, then divide by two.", "en", 1.0)]
    [InlineData("首先把数字相加然后除以二", "zh", 1.0)]
    [InlineData("首先把数字相加然后除以二", "zh-CN", 1.0)]
    [InlineData("首先把数字相加然后除以二", "en", 0.0)]
    [InlineData("First add the numbers, then divide by two.", "zh", 0.0)]
    [InlineData("Сначала сложим числа", "ru", 1.0)]
    [InlineData("", "en", 1.0)]
    [InlineData("$x^2 + 2x = 3$, 42, 3.14 !?", "zh", 1.0)]
    public void Pure_texts_score_all_or_nothing(string text, string language, double expected)
    {
        Assert.Equal(expected, LanguageConsistency.Score(text, language).Value, 6);
    }

    [Fact]
    public void Mixed_text_scores_the_share_of_target_words()
    {
        // 6 Chinese characters and 2 English words ("wait", "check"): 6 / 8 for zh, 2 / 8 for en.
        const string text = "我们计算一下 wait check";

        Assert.Equal(0.75, LanguageConsistency.Score(text, "zh").Value, 6);
        Assert.Equal(0.25, LanguageConsistency.Score(text, "en").Value, 6);
    }

    [Fact]
    public void Math_digits_and_single_letter_variables_are_ignored()
    {
        // Only the Chinese characters count: the LaTeX, the command names and the variable x are math.
        const string text = "所以 $\\frac{x}{2} = \\sqrt{y}$ 且 x = 3 \\cdot 4 得到";

        var counts = LanguageConsistency.Count(text);

        Assert.Equal(0, counts.Latin);
        Assert.Equal(5, counts.Cjk);
        Assert.Equal(1.0, LanguageConsistency.Score(text, "zh").Value);
    }

    [Theory]
    [InlineData("The answer is clearly five because two plus three is five.", false)]
    [InlineData("让我们一步一步地思考这个问题", false)]
    [InlineData("我们先算 the total number of apples 然后除以", true)]
    [InlineData("Let me think 一下 about this carefully and then answer", true)]
    [InlineData("", false)]
    [InlineData("$1+1=2$", false)]
    public void Is_mixed_detects_a_second_script(string text, bool expected)
    {
        Assert.Equal(expected, LanguageMixing.IsMixed(text));
    }

    [Fact]
    public void Mixing_rate_is_the_share_of_mixed_texts()
    {
        string?[] texts = ["pure English reasoning here", "纯中文推理", "mixed 中文 and English words here", null];

        Assert.Equal(0.25, LanguageMixing.Rate(texts), 6);
        Assert.Equal(0.0, LanguageMixing.Rate([]));
    }

    [Theory]
    [InlineData("en", Script.Latin)]
    [InlineData("fr", Script.Latin)]
    [InlineData("zh", Script.Cjk)]
    [InlineData("ja", Script.Cjk)]
    [InlineData("ko", Script.Cjk)]
    [InlineData("ru", Script.Cyrillic)]
    [InlineData(null, Script.Latin)]
    public void Languages_map_to_scripts(string? language, Script expected)
    {
        Assert.Equal(expected, Scripts.ForLanguage(language));
    }
}

public class LanguageConsistencyLimitsTests
{
    [Theory]
    [InlineData("$")]
    [InlineData("\\(")]
    [InlineData("中a")]
    public void Large_hostile_chains_of_thought_are_measured_fast(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, RewardLimits.MaxCompletionChars / unit.Length / 2));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = LanguageConsistency.Score(text, "zh");
        var mixed = LanguageMixing.IsMixed(text);

        Assert.InRange(result.Value, 0.0, 1.0);
        Assert.False(mixed); // lone Latin letters are variables, so "中a" repeated is pure Chinese
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void Oversized_chains_of_thought_score_zero()
    {
        var result = LanguageConsistency.Score(new string('a', RewardLimits.MaxCompletionChars + 1), "en");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("too long", result.Reason);
    }
}
