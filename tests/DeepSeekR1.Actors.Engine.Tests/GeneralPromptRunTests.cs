using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// A whole engine run (one node: regions, singletons, the journal) whose task mixes general prompts into arithmetic:
/// the general groups are scored by the reward-model entities that Placement starts, the arithmetic ones by the rules.
/// </summary>
public sealed class GeneralPromptRunTests(TinyRewardModels models) : IClassFixture<TinyRewardModels>
{
    [Fact]
    public async Task General_groups_are_scored_by_the_reward_model_entities_and_reasoning_groups_by_the_rules()
    {
        using var dir = new TempDir();
        var mixed = new GeneralPromptMix(new ArithmeticTask(), GeneralPromptMix.ToyPrompts(20, 1), ratio: 1.0, reasoningQuestions: 2);   // a pool of 4: one step of 4 prompts takes both kinds
        var settings = ModelRewardSettings.Defaults with { Helpfulness = models.Helpfulness, Safety = models.Safety, FormatWeight = 0 };
        var run = TinyRuns.Run(dir.Path, "general") with { Task = mixed, ModelRewards = settings, Grpo = TinyRuns.Grpo with { Steps = 1, PromptsPerStep = 4 } };

        var host = await EngineHost.StartAsync(run, dir.Path, TinyRuns.Overrides);
        EngineOutcome outcome;
        IReadOnlyList<object> tagged;
        try
        {
            outcome = await host.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
            tagged = await JournalProbe.EventsByTag(host.System, "general");
        }
        finally { await host.DisposeAsync(); }

        Assert.Equal("finished", outcome.State);
        var kinds = tagged.OfType<GroupStarted>().ToDictionary(g => EntityIdOf(g), g => g.Question.Kind);
        var recorded = tagged.OfType<RolloutRecorded>().ToArray();
        var general = recorded.Where(r => kinds[r.GroupId] == AnswerKind.General).Select(r => r.Rollout).ToArray();
        var reasoning = recorded.Where(r => kinds[r.GroupId] != AnswerKind.General).Select(r => r.Rollout).ToArray();
        Assert.NotEmpty(general);
        Assert.NotEmpty(reasoning);
        // Rule rewards are sums of 0/1 rules (format weight 1 in the tiny run); the models' scores are not: helpfulness is
        // a raw score, safety a probability strictly between 0 and 1.
        Assert.All(reasoning, r => Assert.Equal(Math.Round(r.Reward), r.Reward, 9));
        Assert.All(general, r => Assert.NotEqual(Math.Round(r.Reward), r.Reward, 9));
        Assert.All(general, r => Assert.False(r.Correct));
    }

    private static string EntityIdOf(GroupStarted g) => Sharding.EntityIds.Group(g.RunId, g.Step, g.Index);
}
