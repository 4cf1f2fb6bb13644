using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Engine.Tests.Replay;

/// <summary>The per-sample values behind TensorBoard's histograms, folded from a journal.</summary>
public class StepDistributionsTests
{
    private long offset;

    private JournalEvent Event(string persistenceId, object e) =>
        new(persistenceId, ++offset, offset, null, ContractCodec.ManifestOf(e.GetType()), e);

    private static RolloutRecorded Rollout(string group, int sample, int tokens, double reward = 0) =>
        new(group, new RolloutData(sample, Enumerable.Range(0, tokens).ToArray(), new float[tokens], FinishReason.Stop, "x", reward, false, true, null, 0));

    [Fact]
    public void Each_samples_length_and_each_groups_advantages_count_once_under_their_step_and_are_handed_out_once()
    {
        var question = new QuestionData("q", "1+1", "2", AnswerKind.Math, 2, "en", []);
        var d = new StepDistributions(AdvantageScaling.GroupStd);
        d.Apply(Event("group-r/a", new GroupStarted("r", 0, 0, question, [1], 2, 0, "c")));
        d.Apply(Event("group-r/b", new GroupStarted("r", 1, 0, question, [1], 2, 0, "c")));
        d.Apply(Event("group-r/a", Rollout("r/a", 0, tokens: 3)));
        d.Apply(Event("group-r/a", Rollout("r/a", 1, tokens: 5)));
        d.Apply(Event("group-r/a", Rollout("r/a", 1, tokens: 5)));        // a resumed group journaled it again
        d.Apply(Event("group-r/b", Rollout("r/b", 0, tokens: 7)));
        d.Apply(Event("group-r/a", new GroupFinished("r/a", 0, 0, [0.7, -0.7])));
        d.Apply(Event("group-r/a", new GroupFinished("r/a", 0, 0, [0.7, -0.7])));
        d.Apply(Event("group-r/z", Rollout("r/z", 0, tokens: 9)));        // no start seen: no known step

        var (advantages, lengths) = d.Take(0);
        Assert.Equal([0.7, -0.7], advantages);
        Assert.Equal([3.0, 5.0], lengths);
        Assert.Empty(d.Take(0).ResponseTokens);                              // handed out once
        Assert.Equal([7.0], d.Take(1).ResponseTokens);
        Assert.Empty(d.Take(1).Advantages);
    }

    [Fact]
    public void Advantages_the_journal_does_not_carry_are_computed_from_the_groups_rewards_as_the_learner_does()
    {
        var question = new QuestionData("q", "1+1", "2", AnswerKind.Math, 2, "en", []);
        var d = new StepDistributions(AdvantageScaling.GroupStd);
        d.Apply(Event("group-r/a", new GroupStarted("r", 0, 0, question, [1], 3, 0, "c")));
        // Recorded out of sample order: the advantages still follow the samples.
        d.Apply(Event("group-r/a", Rollout("r/a", 2, tokens: 1, reward: 0)));
        d.Apply(Event("group-r/a", Rollout("r/a", 0, tokens: 1, reward: 1)));
        d.Apply(Event("group-r/a", Rollout("r/a", 1, tokens: 1, reward: 1)));
        d.Apply(Event("group-r/a", new GroupFinished("r/a", 0, 0, [])));
        Assert.Equal(GroupAdvantages.Compute([1.0, 1.0, 0.0], AdvantageScaling.GroupStd), d.Take(0).Advantages);

        var dr = new StepDistributions(AdvantageScaling.None);
        dr.Apply(Event("group-r/b", new GroupStarted("r", 0, 0, question, [1], 2, 0, "c")));
        dr.Apply(Event("group-r/b", Rollout("r/b", 0, tokens: 1, reward: 1)));
        dr.Apply(Event("group-r/b", Rollout("r/b", 1, tokens: 1, reward: 0)));
        dr.Apply(Event("group-r/b", new GroupFinished("r/b", 0, 0, [])));
        Assert.Equal([0.5, -0.5], dr.Take(0).Advantages);   // Dr. GRPO: mean removed, no std scaling
    }
}
