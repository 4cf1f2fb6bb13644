using DeepSeekR1.Actors.Rl.Distillation;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Distillation;

/// <summary>Cold-start examples: right by the run's own reward, in the output format, from the train split, reproducible.</summary>
public sealed class ColdStartExamplesTests
{
    private static readonly RewardComposer Rewards = new(RewardWeights.R1Zero);

    [Fact]
    public void Every_example_is_correct_and_well_formed_by_the_reward_the_run_uses()
    {
        foreach (var (item, pair) in ColdStartExamples.Arithmetic(1, 5, 300, seed: 7))
        {
            var score = Rewards.Score(item, pair.Completion);
            Assert.True(score.IsCorrect, $"{pair.Id}: {pair.Completion} ({score.Accuracy.Reason})");
            Assert.Equal(1.0, score.Format.Value);
            Assert.Contains(item.Question, pair.Prompt);
            Assert.Contains($". So ", pair.Completion);   // the summary line after the work
        }
    }

    [Fact]
    public void Levels_are_honoured_and_no_held_out_question_is_taught()
    {
        var examples = ColdStartExamples.Arithmetic(2, 3, 400, seed: 7).ToArray();
        Assert.All(examples, e => Assert.InRange(e.Item.Level, 2, 3));
        Assert.Equal([2, 3], examples.Select(e => e.Item.Level).Distinct().Order());
        var heldOut = new ArithmeticTask(2, 3).Items(TaskSplit.Test, 7).Take(4000).Select(i => i.Id).ToHashSet();
        Assert.DoesNotContain(examples, e => heldOut.Contains(e.Item.Id));
    }

    [Fact]
    public void The_same_seed_gives_the_same_examples_and_a_longer_file_starts_with_the_shorter_one()
    {
        var five = ColdStartExamples.Arithmetic(1, 5, 5, seed: 3).Select(e => e.Pair).ToArray();
        var ten = ColdStartExamples.Arithmetic(1, 5, 10, seed: 3).Select(e => e.Pair).ToArray();
        Assert.Equal(five, ten[..5]);
        Assert.NotEqual(five, ColdStartExamples.Arithmetic(1, 5, 5, seed: 4).Select(e => e.Pair).ToArray());
        Assert.Equal(10, ten.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void The_bilingual_task_asks_half_in_Chinese_reasons_in_the_question_s_language_and_mixes_as_often_as_asked()
    {
        var examples = ColdStartExamples.Arithmetic(1, 2, 600, seed: 7, bilingual: true, mixedShare: 0.3).ToArray();
        var chinese = examples.Where(e => e.Item.Language == "zh").ToArray();
        Assert.InRange(chinese.Length, 240, 360);
        Assert.All(examples.Where(e => e.Item.Language == "en"), e => Assert.False(LanguageMixing.IsMixed(FormatReward.ThinkContent(e.Pair.Completion))));
        Assert.All(chinese, e => Assert.Matches("[\u4e00-\u9fff]", e.Item.Question));
        int mixed = chinese.Count(e => LanguageMixing.IsMixed(FormatReward.ThinkContent(e.Pair.Completion)));
        Assert.InRange(mixed, (int)(0.2 * chinese.Length), (int)(0.4 * chinese.Length));
        // Every one is right by the run's reward, mixed or not, and an unmixed Chinese one is consistent with its question.
        var withLanguage = new RewardComposer(new RewardWeights(1, 1, 1));
        foreach (var (item, pair) in examples)
        {
            var score = withLanguage.Score(item, pair.Completion);
            Assert.True(score.IsCorrect, $"{pair.Id}: {pair.Completion}");
            if (!LanguageMixing.IsMixed(FormatReward.ThinkContent(pair.Completion)))
                Assert.Equal(1.0, LanguageConsistency.Score(FormatReward.ThinkContent(pair.Completion), item.Language).Value, 3);
        }
    }

    [Fact]
    public void The_English_only_task_is_untouched_by_the_bilingual_option()
    {
        var plain = ColdStartExamples.Arithmetic(1, 5, 50, seed: 3).Select(e => e.Pair).ToArray();
        Assert.Equal(plain, ColdStartExamples.Arithmetic(1, 5, 50, seed: 3, bilingual: false, mixedShare: 0).Select(e => e.Pair).ToArray());
        Assert.Equal(new ArithmeticTask(1, 5).Items(TaskSplit.Train, 9).Take(50).Select(i => i.Question),
            TaskCatalog.Get("arithmetic:1-5").Items(TaskSplit.Train, 9).Take(50).Select(i => i.Question));
        var bilingual = TaskCatalog.Get("arithmetic-bilingual:1-2");
        Assert.Equal("arithmetic-bilingual", bilingual.Name);
        Assert.Contains(bilingual.Items(TaskSplit.Test, 9).Take(40), i => i.Language == "zh");
    }
}
