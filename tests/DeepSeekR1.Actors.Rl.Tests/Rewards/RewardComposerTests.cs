using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

public class RewardComposerTests
{
    private static readonly TaskItem Math = new("t-1", "What is 3/4 as a decimal?", "0.75");

    [Fact]
    public void A_correct_well_formed_completion_gets_accuracy_plus_format()
    {
        var composer = new RewardComposer(RewardWeights.R1Zero);

        var scored = composer.Score(Math, "<think>3 divided by 4 is 0.75</think> <answer>\\frac{3}{4}</answer>");

        Assert.Equal(1.0, scored.Accuracy.Value);
        Assert.Equal(1.0, scored.Format.Value);
        Assert.Equal(2.0, scored.Total);
        Assert.Equal("\\frac{3}{4}", scored.Answer);
        Assert.True(scored.IsCorrect);
    }

    [Fact]
    public void A_boxed_answer_without_the_template_earns_accuracy_only()
    {
        var composer = new RewardComposer(RewardWeights.R1Zero);

        var scored = composer.Score(Math, "It is \\boxed{0.75}.");

        Assert.Equal(1.0, scored.Accuracy.Value);
        Assert.Equal(0.0, scored.Format.Value);
        Assert.Equal(1.0, scored.Total);
        Assert.Equal(AnswerSource.Boxed, scored.Extraction.Source);
    }

    [Fact]
    public void A_wrong_answer_keeps_the_format_reward_and_explains_the_miss()
    {
        var composer = new RewardComposer(new RewardWeights(Accuracy: 1.0, Format: 0.5));

        var scored = composer.Score(Math, "<think>hmm</think><answer>0.7</answer>");

        Assert.Equal(0.0, scored.Accuracy.Value);
        Assert.Contains("not equivalent", scored.Accuracy.Reason);
        Assert.Equal(0.5, scored.Total);
    }

    [Fact]
    public void No_answer_scores_zero_accuracy_with_the_extraction_reason()
    {
        var scored = new RewardComposer(RewardWeights.R1Zero).Score(Math, "I do not know");

        Assert.Equal(0.0, scored.Total);
        Assert.Null(scored.Answer);
        Assert.Contains("no <answer>", scored.Accuracy.Reason);
    }

    [Fact]
    public void Language_consistency_is_weighted_in_R1_reasoning()
    {
        var composer = new RewardComposer(RewardWeights.R1Reasoning);
        var chinese = Math with { Language = "zh" };

        var consistent = composer.Score(chinese, "<think>三除以四等于零点七五</think><answer>0.75</answer>");
        var english = composer.Score(chinese, "<think>three divided by four</think><answer>0.75</answer>");

        Assert.Equal(3.0, consistent.Total, 6);
        Assert.Equal(2.0, english.Total, 6);
        Assert.Equal(0.0, english.Language.Value);
    }

    [Fact]
    public void Countdown_tasks_use_the_injected_checker()
    {
        var countdown = new TaskItem("cd-1", "Use 2, 3, 4 to make 10", "10", AnswerKind.CountdownExpression, Numbers: [2, 3, 4]);
        string? seen = null;
        var composer = new RewardComposer(RewardWeights.R1Zero, (answer, item) =>
        {
            seen = answer;
            return answer == "2*3+4" && item.Gold == "10" ? RewardResult.Pass("reaches 10") : RewardResult.Fail("wrong");
        });

        var scored = composer.Score(countdown, "<think>2*3=6, 6+4=10</think><answer>2*3+4</answer>");

        Assert.Equal("2*3+4", seen);
        Assert.Equal(1.0, scored.Accuracy.Value);
        Assert.Equal("reaches 10", scored.Accuracy.Reason);
    }

    [Fact]
    public void Countdown_without_a_checker_or_with_a_throwing_one_scores_zero()
    {
        var countdown = new TaskItem("cd-1", "q", "10", AnswerKind.CountdownExpression, Numbers: [2, 3, 4]);
        const string completion = "<think>t</think><answer>2*3+4</answer>";

        var missing = new RewardComposer(RewardWeights.R1Zero).Score(countdown, completion);
        var throwing = new RewardComposer(RewardWeights.R1Zero, (_, _) => throw new InvalidOperationException("boom")).Score(countdown, completion);

        Assert.Contains("no Countdown checker", missing.Accuracy.Reason);
        Assert.Equal(0.0, throwing.Accuracy.Value);
        Assert.Contains("boom", throwing.Accuracy.Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<answer>\\frac{\\frac{\\frac{</answer>")]
    [InlineData("<think><think><answer><answer></answer>")]
    public void Hostile_completions_score_without_throwing(string? completion)
    {
        var scored = new RewardComposer(RewardWeights.R1Reasoning).Score(Math, completion);

        Assert.Equal(0.0, scored.Accuracy.Value);
        Assert.False(string.IsNullOrEmpty(scored.Accuracy.Reason));
    }
}
