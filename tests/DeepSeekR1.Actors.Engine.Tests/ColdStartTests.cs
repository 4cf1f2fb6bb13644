using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests;

public class ColdStartTests
{
    [Fact]
    public void The_cold_started_policy_earns_rewards_that_differ_within_groups()
    {
        using var policy = ColdStart.Policy();
        using var trainer = new InlineGrpoTrainer(policy, TinyRuns.Tokenizer, new ArithmeticTask(), TinyRuns.Grpo, TinyRuns.Sampling, TinyRuns.Seed);
        var steps = trainer.Run().ToList();
        var rewards = steps.SelectMany(s => s.Groups.SelectMany(g => g.Rewards)).ToArray();
        Assert.True(rewards.Distinct().Count() > 1, string.Join(", ", rewards));
        Assert.Contains(steps, s => s.Metrics.GradNorm > 1e-6);
    }
}
