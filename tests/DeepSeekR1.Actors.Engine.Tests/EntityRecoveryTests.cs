using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Entities driven one at a time against a real SQLite journal, with test probes in place of their peers: what a
/// group offers after recovering, and how the learner treats groups that arrive more than once.
/// </summary>
public sealed class EntityRecoveryTests() : JournaledTestKit("entities")
{
    private EntityHarness Context(string runId, out Probes probes)
    {
        probes = new Probes(CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        return new EntityHarness(TinyRuns.Run(DataPath, runId), EngineSettings.From(Sys.Settings.Config))
        {
            WorkQueue = probes.Queue.Ref,
            Verifiers = probes.Verifiers.Ref,
            Learner = probes.Learner.Ref,
            Runs = probes.Runs.Ref,
            PubSub = probes.PubSub.Ref,
        };
    }

    /// <summary>Real groups of step 0, sampled by the RL core from the run's initial policy.</summary>
    internal static IReadOnlyList<RolloutGroup> SampleStep0(EntityHarness context)
    {
        using var policy = ColdStart.Policy();
        var requests = context.Prompts.ForStep(0).Select((item, i) => new GroupRequest(0, i, item)).ToArray();
        return context.Sampler.Sample(policy, 0, requests);
    }

    private sealed record Probes(Akka.TestKit.TestProbe Queue, Akka.TestKit.TestProbe Verifiers, Akka.TestKit.TestProbe Learner, Akka.TestKit.TestProbe Runs, Akka.TestKit.TestProbe PubSub);

    private static RolloutData Scored(int sample, double reward) =>
        new(sample, [5, 6, sample], [-0.5f, -0.25f, -1f], FinishReason.Stop, $"out {sample}", reward, reward > 0.5, true, "1", 0);

    [Fact]
    public async Task A_recovering_prompt_group_offers_only_its_missing_samples()
    {
        var context = Context("recover", out var probes);
        string id = EntityIds.Group("recover", 0, 1);
        var question = QuestionData.From(context.Prompts.ForStep(0)[1]);
        var start = new StartGroup("recover", 0, 1, question, 3, 0, context.CheckpointDirectory(0));

        var group = Sys.ActorOf(context.GroupProps(id));
        group.Tell(start);
        var first = probes.Queue.ExpectMsg<OfferWork>();
        Assert.Equal([0, 1, 2], first.Work.Select(w => w.Sample));
        Assert.Equal(GroupSampler.SampleSeed(TinyRuns.Seed, 0, 1, 2), first.Work[2].Seed);

        // A sampled output goes to the verifier of the question's kind.
        // Sampled outputs go to the verifier of the question's kind, a group's outputs of one batch in one message.
        group.Tell(new RolloutsSampled(id, [new SampledOutput(0, [5, 6], [-0.5f, -0.25f], FinishReason.Stop, 0), new SampledOutput(2, [7], [-0.1f], FinishReason.Stop, 0)]));
        var verify = probes.Verifiers.ExpectMsg<ShardingEnvelope>();
        Assert.Equal("math", verify.EntityId);
        Assert.Equal([0, 2], ((VerifyRollouts)verify.Message).Outputs.Select(o => o.Sample));

        group.Tell(new RolloutsVerified(id, [Scored(0, 1.0), Scored(2, 0.0), Scored(2, 0.3)]));   // sample 2 twice in one batch
        group.Tell(new RolloutsVerified(id, [Scored(2, 0.7)]));   // and again later: both duplicates are ignored
        var journaled = await JournalProbe.AwaitEvents(Sys, $"group-{id}", 3);
        Assert.Equal(3, journaled.Count);
        Assert.Equal([0.0, 1.0], journaled.OfType<RolloutRecorded>().Select(r => r.Rollout.Reward).OrderBy(r => r));
        Watch(group);
        Sys.Stop(group);
        ExpectTerminated(group);

        // The new incarnation recovers samples 0 and 2 from the journal and asks only for sample 1.
        var again = Sys.ActorOf(context.GroupProps(id));
        again.Tell(start);
        var second = probes.Queue.ExpectMsg<OfferWork>();
        Assert.Equal([1], second.Work.Select(w => w.Sample));
        Assert.Equal(GroupSampler.SampleSeed(TinyRuns.Seed, 0, 1, 1), second.Work[0].Seed);

        again.Tell(new RolloutsVerified(id, [Scored(1, 0.5)]));
        var delivered = probes.Learner.ExpectMsg<DeliverGroup>();
        Assert.Equal([1.0, 0.5, 0.0], delivered.Group.Rollouts.Select(r => r.Reward));
        // Advantages are the learner's to compute (the scaling may need the whole step): the group sends none.
        Assert.Empty(delivered.Group.Advantages);

        var events = await JournalProbe.AwaitEvents(Sys, $"group-{id}", 5);
        Assert.Equal(3, events.OfType<RolloutRecorded>().Count());
        Assert.Single(events.OfType<GroupFinished>());
    }

    [Fact]
    public async Task A_repeated_start_while_outputs_are_being_scored_verifies_them_again_instead_of_regenerating()
    {
        var context = Context("rescore", out var probes);
        string id = EntityIds.Group("rescore", 0, 0);
        var start = new StartGroup("rescore", 0, 0, QuestionData.From(context.Prompts.ForStep(0)[0]), 3, 0, context.CheckpointDirectory(0));
        var group = Sys.ActorOf(context.GroupProps(id));
        group.Tell(start);
        probes.Queue.ExpectMsg<OfferWork>();

        // Samples 0 and 1 come back from a sampler and go out for scoring; the driver's repeat arrives before the
        // verifier answers (the work queue already forgot them: their batch is done).
        group.Tell(new RolloutsSampled(id, [new SampledOutput(0, [5], [-0.5f], FinishReason.Stop, 0), new SampledOutput(1, [6], [-0.4f], FinishReason.Stop, 0)]));
        Assert.Equal([0, 1], ((VerifyRollouts)probes.Verifiers.ExpectMsg<ShardingEnvelope>().Message).Outputs.Select(o => o.Sample));
        group.Tell(start);
        Assert.Equal([0, 1], ((VerifyRollouts)probes.Verifiers.ExpectMsg<ShardingEnvelope>().Message).Outputs.Select(o => o.Sample));
        Assert.Equal([2], probes.Queue.ExpectMsg<OfferWork>().Work.Select(w => w.Sample));

        // Sample 2 is generated too; a repeat while all three are out for scoring offers nothing and does not finish
        // the group early.
        group.Tell(new RolloutsSampled(id, [new SampledOutput(2, [7], [-0.3f], FinishReason.Stop, 0)]));
        Assert.Equal([2], ((VerifyRollouts)probes.Verifiers.ExpectMsg<ShardingEnvelope>().Message).Outputs.Select(o => o.Sample));
        group.Tell(start);
        Assert.Equal([0, 1, 2], ((VerifyRollouts)probes.Verifiers.ExpectMsg<ShardingEnvelope>().Message).Outputs.Select(o => o.Sample));
        probes.Queue.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        probes.Learner.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // The answers arrive, twice; each sample is journaled once, and once all three are in the group finishes.
        group.Tell(new RolloutsVerified(id, [Scored(0, 1.0), Scored(1, 0.0)]));
        group.Tell(new RolloutsVerified(id, [Scored(0, 1.0), Scored(1, 0.0)]));
        group.Tell(new RolloutsVerified(id, [Scored(2, 0.5)]));
        probes.Learner.ExpectMsg<DeliverGroup>();
        var events = await JournalProbe.AwaitEvents(Sys, $"group-{id}", 5);
        Assert.Equal([0, 1, 2], events.OfType<RolloutRecorded>().Select(r => r.Rollout.Sample).Order());

        // Scored and journaled: a later repeat neither re-scores nor offers anything.
        group.Tell(start);
        probes.Verifiers.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probes.Queue.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task The_learner_applies_a_step_once_when_its_groups_arrive_twice()
    {
        var context = Context("once", out var probes);
        // Real groups of step 0, sampled by the RL core from the run's initial policy.
        var sampled = SampleStep0(context);
        var deliveries = sampled.Select(g => new DeliverGroup(EntityIds.Group("once", 0, g.Index), GroupData.From(g))).ToArray();

        var learner = Sys.ActorOf(context.LearnerProps());
        foreach (var d in deliveries.Concat(deliveries)) learner.Tell(d);
        // Each delivery is acknowledged: the first two once the step is journaled, the repeats as already applied.
        var accepted = ExpectMsgAllOf(TimeSpan.FromSeconds(30),
            new GroupAccepted(deliveries[0].GroupId, 0), new GroupAccepted(deliveries[1].GroupId, 0),
            new GroupAccepted(deliveries[0].GroupId, 0), new GroupAccepted(deliveries[1].GroupId, 0));
        Assert.Equal(4, accepted.Count);
        var progress = probes.Runs.ExpectMsg<ShardingEnvelope>(TimeSpan.FromSeconds(10));
        Assert.Equal(1, ((LearnerProgress)progress.Message).StepsApplied);

        // Late repeats of an applied step are acknowledged without a second update.
        foreach (var d in deliveries) learner.Tell(d);
        ExpectMsgAllOf(TimeSpan.FromSeconds(10), new GroupAccepted(deliveries[0].GroupId, 0), new GroupAccepted(deliveries[1].GroupId, 0));

        // So are repeats to a learner restarted from its journal and checkpoint.
        Watch(learner);
        Sys.Stop(learner);
        ExpectTerminated(learner);
        var restarted = Sys.ActorOf(context.LearnerProps());
        restarted.Tell(deliveries[1]);
        ExpectMsg(new GroupAccepted(deliveries[1].GroupId, 0), TimeSpan.FromSeconds(30));
        restarted.Tell(new QueryLearner("once", -1));
        var status = ExpectMsg<LearnerProgress>(TimeSpan.FromSeconds(10));
        Assert.Equal(1, status.StepsApplied);
        Assert.Equal(0, Assert.Single(status.Applied).Step);

        var events = await JournalProbe.Events(Sys, "learner-once");
        var applied = Assert.Single(events.OfType<StepApplied>());
        Assert.Equal(0, applied.Step);
        Model.Checkpoints.CheckpointManifest.Verify(applied.Checkpoint);
    }

    [Fact]
    public async Task A_malformed_group_is_rejected_once_journaled_and_fails_the_run_even_after_a_restart()
    {
        var context = Context("malformed", out var probes);
        var sampled = SampleStep0(context);
        // Group 1 carries a token id past the vocabulary: the update would index past the embedding table.
        var bad = sampled[1] with { Rollouts = [sampled[1].Rollouts[0] with { CompletionIds = [1, 999_999] }, .. sampled[1].Rollouts.Skip(1)] };
        bad = bad with { Rollouts = [bad.Rollouts[0] with { OldLogProbs = [-1f, -1f] }, .. bad.Rollouts.Skip(1)] };
        var good = new DeliverGroup(EntityIds.Group("malformed", 0, 0), GroupData.From(sampled[0]));
        var malformed = new DeliverGroup(EntityIds.Group("malformed", 0, 1), GroupData.From(bad));

        var learner = Sys.ActorOf(context.LearnerProps());
        learner.Tell(good);
        learner.Tell(malformed);
        var fail = (FailRun)probes.Runs.ExpectMsg<ShardingEnvelope>(TimeSpan.FromSeconds(30)).Message;
        Assert.Contains($"group {malformed.GroupId} (step 1, group 1)", fail.Reason);
        Assert.Contains("token 999999 is not a token id below", fail.Reason);

        // The rejection is journaled once; a learner restarted from the journal refuses the re-sent group again at once.
        Watch(learner);
        Sys.Stop(learner);
        ExpectTerminated(learner);
        var restarted = Sys.ActorOf(context.LearnerProps());
        restarted.Tell(malformed);
        Assert.IsType<FailRun>(probes.Runs.ExpectMsg<ShardingEnvelope>(TimeSpan.FromSeconds(30)).Message);
        var events = await JournalProbe.Events(Sys, "learner-malformed");
        var rejected = Assert.Single(events.OfType<GroupRejected>());
        Assert.Equal((0L, 1, malformed.GroupId), (rejected.Step, rejected.Index, rejected.GroupId));
        Assert.Empty(events.OfType<StepApplied>());
    }

    [Fact]
    public async Task A_restarted_learner_continues_exactly_where_it_stopped()
    {
        // A strong KL term with the reference refreshed every 2 steps: the restarted learner must restore the policy,
        // the optimizer state, the reference and the refresh count, or steps 1 and 2 come out different.
        // Batch-std scaling: advantages that need the whole step, which only the learner sees.
        var grpo = TinyRuns.Grpo with { Steps = 3, Beta = 0.1, ReferenceRefreshEvery = 2, AdvantageScaling = Rl.Grpo.AdvantageScaling.BatchStd };
        var context = Context("resume", out var probes);
        context = new EntityHarness(context.Run with { Grpo = grpo }, context.Settings)
        {
            Runs = probes.Runs.Ref, PubSub = probes.PubSub.Ref, WorkQueue = probes.Queue.Ref, Verifiers = probes.Verifiers.Ref, Learner = probes.Learner.Ref,
        };
        IReadOnlyList<RolloutGroup> sampled;
        var expected = new List<Rl.Grpo.StepMetrics>();
        // The same outputs offered again as each step's: they say they come from that step's version, since a
        // synchronous learner leaves out any sample older than its step (the staleness bound, 0 here).
        static RolloutGroup AsStep(RolloutGroup g, long step) =>
            g with { Step = step, Rollouts = g.Rollouts.Select(r => r with { PolicyVersion = step }).ToArray() };
        using (var policy = ColdStart.Policy())
        {
            var requests = context.Prompts.ForStep(0).Select((item, i) => new GroupRequest(0, i, item)).ToArray();
            sampled = context.Sampler.Sample(policy, 0, requests);
            using var inline = new GrpoLearner(policy, grpo, TinyRuns.Sampling.Temperature, TinyRuns.Sampling.MaxNewTokens);
            for (int step = 0; step < 3; step++)
                expected.Add(inline.Step(step, sampled.Select(g => AsStep(g, step)).ToArray()).Metrics);
        }
        DeliverGroup[] Deliveries(long step) =>
            sampled.Select(g => new DeliverGroup(EntityIds.Group("resume", step, g.Index), GroupData.From(AsStep(g, step)))).ToArray();

        var learner = Sys.ActorOf(context.LearnerProps());
        foreach (var d in Deliveries(0)) learner.Tell(d);
        ReceiveN(2, TimeSpan.FromSeconds(30));
        Watch(learner);
        Sys.Stop(learner);
        ExpectTerminated(learner);

        var restarted = Sys.ActorOf(context.LearnerProps());
        foreach (var step in new long[] { 1, 2 })
        {
            foreach (var d in Deliveries(step)) restarted.Tell(d);
            ReceiveN(2, TimeSpan.FromSeconds(30));
        }

        var journal = await JournalProbe.Events(Sys, "learner-resume");
        var applied = journal.OfType<StepApplied>().ToArray();
        Assert.Equal([0L, 1L, 2L], applied.Select(a => a.Step));

        // Each step's advantages are journaled once, just before the step, as the learner computed them under the
        // configured scaling from the groups' rewards.
        var expectedAdvantages = Rl.Grpo.GroupAdvantages.ComputeBatch(sampled.Select(g => g.Rewards).ToArray(), grpo.AdvantageScaling);
        for (int step = 0; step < 3; step++)
        {
            int at = journal.ToList().IndexOf(applied[step]);
            var used = Assert.IsType<StepAdvantages>(journal[at - 1]);
            Assert.Equal(step, used.Step);
            Assert.Equal(sampled.Select(g => g.Index), used.Groups.Select(g => g.Index));
            for (int g = 0; g < sampled.Count; g++) Assert.Equal(expectedAdvantages[g], used.Groups[g].Advantages);
        }
        Assert.Equal(3, journal.OfType<StepAdvantages>().Count());
        Assert.True(expected[1].KlMean > 1e-6);   // the reference matters (after the refresh, step 2 starts at KL 0)
        for (int step = 0; step < 3; step++)
        {
            Assert.Equal(expected[step].Loss, applied[step].Metrics.Loss, 1e-6);
            Assert.Equal(expected[step].KlMean ?? 0, applied[step].Metrics.KlMean ?? 0, 1e-7);
            Assert.Equal(expected[step].GradNorm, applied[step].Metrics.GradNorm, 1e-5);
        }
    }
}
