using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.RewardModels;

/// <summary>
/// What the reward models read of a completion, how their scores combine, how general prompts are mixed into a task,
/// and that the rule rewards refuse a general prompt rather than score it 0.
/// </summary>
public sealed class ModelRewardsTests
{
    [Theory]
    [InlineData("<think>reasons</think> <answer> The word is revir. </answer>", "The word is revir.")]
    [InlineData("<think>reasons</think> The word is revir.", "The word is revir.")]
    [InlineData("<think>a</think><answer>first</answer><answer>second", "second")]
    [InlineData("no tags at all", "no tags at all")]
    public void The_helpfulness_model_reads_the_answer_only(string completion, string summary) =>
        Assert.Equal(summary, ModelRewards.Summary(completion));

    [Fact]
    public void The_reward_is_the_weighted_helpfulness_safe_probability_and_format()
    {
        var settings = ModelRewardSettings.Defaults with { HelpfulnessWeight = 2.0, SafetyWeight = 0.5, FormatWeight = 0.2 };

        double reward = ModelRewards.Combine(settings, helpfulness: 1.5f, safetyLogit: 0f, RewardResult.Pass("ok"));

        Assert.Equal(2.0 * 1.5 + 0.5 * 0.5 + 0.2, reward, 1e-12);
        // A model with weight 0 is not asked; a weighted one must have been.
        Assert.Equal(0.2 * 0 + 3.0, ModelRewards.Combine(settings with { SafetyWeight = 0 }, 1.5f, null, RewardResult.Fail("no")), 1e-12);
        Assert.Throws<ArgumentNullException>(() => ModelRewards.Combine(settings, 1.5f, null, RewardResult.Fail("no")));
    }

    [Fact]
    public void General_prompts_follow_reasoning_questions_at_the_ratio_and_the_held_out_split_stays_reasoning()
    {
        var mix = new GeneralPromptMix(new ArithmeticTask(), ["Spell 3.", "Reverse cat."], ratio: 0.5, reasoningQuestions: 100);

        var train = mix.Items(TaskSplit.Train, 7).Take(30).ToArray();

        Assert.True(mix.HasGeneralPrompts);
        Assert.Equal(10, train.Count(i => i.Kind == AnswerKind.General));   // one after every second question
        Assert.Equal(AnswerKind.General, train[2].Kind);
        Assert.Equal(["Spell 3.", "Reverse cat.", "Spell 3."], train.Where(i => i.Kind == AnswerKind.General).Take(3).Select(i => i.Question));
        Assert.All(train.Where(i => i.Kind == AnswerKind.General), i => Assert.Equal("", i.Gold));
        Assert.DoesNotContain(mix.Items(TaskSplit.Test, 7).Take(50), i => i.Kind == AnswerKind.General);
        Assert.Equal(train.Select(i => i.Id), mix.Items(TaskSplit.Train, 7).Take(30).Select(i => i.Id));   // deterministic
        // A finite pool: a run's prompt selection materializes it, so an endless generated task must be cut.
        Assert.Equal(150, mix.Items(TaskSplit.Train, 7).Count());
        Assert.Throws<ArgumentException>(() => new GeneralPromptMix(new ArithmeticTask(), ["Spell 3."], ratio: 0.5));
    }

    [Fact]
    public void The_rule_rewards_refuse_a_general_prompt_instead_of_scoring_it_zero()
    {
        var item = new TaskItem("general-00000", "Reverse the word cat.", "", AnswerKind.General);

        var e = Assert.Throws<InvalidOperationException>(() => RewardSets.Evaluation.Score(item, "<think>x</think> <answer>tac</answer>"));

        Assert.Contains("r1.rewards.models", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kinds", "[\"poetry\"]", "r1.rewards.models.kinds: 'poetry' is not a prompt kind")]
    [InlineData("safety-weight", "-1", "r1.rewards.models.safety-weight: -1 must be a finite number >= 0")]
    [InlineData("batch-size", "0", "r1.rewards.models.batch-size must be positive")]
    public void Settings_out_of_range_are_refused_naming_the_key(string key, string value, string expected)
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString($"r1.rewards.models.{key} = {value}").WithFallback(ShippedDefaults.Config);

        var e = Assert.Throws<ConfigException>(() => HoconBinder.Bind<ModelRewardSettings>(config, ModelRewardSettings.Section).Validate());

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
