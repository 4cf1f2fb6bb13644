using DeepSeekR1.Actors.Rl.Analysis;

namespace DeepSeekR1.Actors.Rl.Tests.Analysis;

public class StepAnalysisTests
{
    [Fact]
    public void Reflective_words_are_normalised_per_1000_completion_tokens_of_the_whole_step()
    {
        CompletionRecord[] step =
        [
            new(1, "<think>Wait, check it. Wait.</think><answer>1</answer>", Tokens: 300, Reward: 1.0, Correct: true),
            new(1, "<think>but</think><answer>2</answer>", Tokens: 100, Reward: 0.0, Correct: false),
            new(3, "<think>nothing to reconsider</think><answer>3</answer>", Tokens: 100, Reward: 0.5, Correct: true),
        ];
        var a = StepAnalysis.Of(step);
        // 4 words in 500 tokens = 8 per 1,000; "wait" 2 of them = 4 per 1,000.
        Assert.Equal(8.0, a.ReflectivePer1000, 1e-12);
        Assert.Equal(4.0, a.WordPer1000[0], 1e-12);
        Assert.Equal(2.0, a.WordPer1000[3], 1e-12);   // but
        Assert.Equal(2.0, a.WordPer1000[9], 1e-12);   // check
        Assert.Equal(a.ReflectivePer1000, a.WordPer1000.Sum(), 1e-12);
        Assert.Equal(500, a.CompletionTokens);
        Assert.Equal(500.0 / 3, a.ResponseTokensMean, 1e-12);
        Assert.Equal(0.5, a.RewardMean, 1e-12);
        Assert.Equal(2.0 / 3, a.Accuracy, 1e-12);
        Assert.Equal(new Dictionary<int, double> { [1] = 0.5, [3] = 1.0 }, a.AccuracyByLevel);
    }

    [Fact]
    public void Language_mixing_is_the_share_of_chains_of_thought_that_mix_scripts()
    {
        CompletionRecord[] step =
        [
            // English reasoning with a run of Chinese in the middle: mixed.
            new(2, "<think>First add the numbers, 然后我们检查一下结果, then answer.</think><answer>7</answer>", 20, 1, true),
            // Wholly Chinese: a different language, but not mixed.
            new(2, "<think>我们先把两个数相加,然后检查结果。</think><answer>7</answer>", 20, 1, true),
            // English with math and a lone Cyrillic-free variable: not mixed.
            new(2, "<think>Let $x = 3 + 4$, so x is seven.</think><answer>7</answer>", 20, 1, true),
            // No think tags: the whole completion is judged; English and Russian words mixed.
            new(2, "the sum is семь and that is final", 20, 0, false),
        ];
        Assert.Equal(0.5, StepAnalysis.Of(step).LanguageMixing, 1e-12);
    }

    [Fact]
    public void The_chain_of_thought_is_the_think_block_or_else_the_whole_completion()
    {
        Assert.Equal(" a b ", StepAnalysis.ChainOfThought("<think> a b </think><answer>1</answer>"));
        Assert.Equal("no tags at all", StepAnalysis.ChainOfThought("no tags at all"));
    }

    [Fact]
    public void An_empty_step_has_no_rates_and_no_words()
    {
        var a = StepAnalysis.Of([]);
        Assert.True(double.IsNaN(a.Accuracy));
        Assert.Equal(0.0, a.ReflectivePer1000);
        Assert.Equal(0.0, a.LanguageMixing);
        Assert.Empty(a.AccuracyByLevel);
    }
}

public class StepAnalysisBuilderTests
{
    [Fact]
    public void A_builder_gives_the_analysis_so_far_and_keeps_accumulating_after_it()
    {
        var builder = new StepAnalysisBuilder().Add(new CompletionRecord(4, "wait", 10, 1.0, true));
        var first = builder.Build();
        Assert.Equal((1, 100.0, 1.0), (first.Completions, first.ReflectivePer1000, first.AccuracyByLevel[4]));

        builder.Add(new CompletionRecord(4, "no reflection here", 30, 0.0, false));
        var second = builder.Build();
        Assert.Equal((2, 25.0, 0.5, 20.0), (second.Completions, second.ReflectivePer1000, second.AccuracyByLevel[4], second.ResponseTokensMean));
        Assert.Equal(100.0, first.ReflectivePer1000);   // an earlier result does not change afterwards
    }
}
