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
}
