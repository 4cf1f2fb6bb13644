using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Tiny reward models for the tests of this file: the tiny run's transformer with a random (non-zero) head, so that
/// different turns get different scores, saved as real <c>r1 rm train</c>-shaped checkpoints.
/// </summary>
public sealed class TinyRewardModels : IDisposable
{
    private readonly TempDir dir = new();

    public TinyRewardModels()
    {
        Helpfulness = Save(RewardModelKind.Helpfulness, seed: 3);
        Safety = Save(RewardModelKind.Safety, seed: 4);
    }

    /// <summary>The helpfulness model's checkpoint folder.</summary>
    public string Helpfulness { get; }

    /// <summary>The safety model's checkpoint folder.</summary>
    public string Safety { get; }

    /// <summary>Where a policy (not a reward model) checkpoint is saved, for the "not a reward model" case.</summary>
    public string Root => dir.Path;

    private string Save(RewardModelKind kind, int seed)
    {
        using var model = new RewardModel(TinyRuns.Policy(), kind);
        using (no_grad())
        {
            var generator = new TorchSharp.torch.Generator((ulong)seed);
            // Small enough that the safety logits stay near 0, where sigmoid still tells them apart.
            model.Head.weight!.copy_(randn(model.Head.weight!.shape, generator: generator) * 0.1);
            model.Head.bias!.fill_(0.25);
        }
        return RewardModelCheckpoint.Save(model, Path.Combine(dir.Path, RewardModelCheckpoint.KindName(kind)));
    }

    /// <summary>Scores each turn alone (a batch of one, no padding), straight through the model: what the entity must match.</summary>
    public static float[] Direct(string checkpoint, IReadOnlyList<RewardModelTurn> turns, int maxSeqLen) =>
        TorchThread.Shared.Invoke(() =>
        {
            using var model = RewardModelCheckpoint.Load(checkpoint);
            model.eval();
            using var noGrad = no_grad();
            return turns.Select(t =>
            {
                using var scope = NewDisposeScope();
                var (ids, valid) = RewardModelInput.Pad([RewardModelInput.Encode(TinyRuns.Tokenizer, t.Prompt, t.Response, maxSeqLen)], TinyRuns.Tokenizer.PadId, CPU);
                return model.Score(ids, valid).item<float>();
            }).ToArray();
        });

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// The reward-model entity: requests that arrive together share a forward pass (counted by the entity itself), its
/// scores are the model's own, a missing checkpoint fails each request naming the path; and a verifier scores a general
/// prompt's outputs with both models through it.
/// </summary>
public sealed class RewardModelEntityTests(TinyRewardModels models) : TestKit(Akka.Configuration.ConfigurationFactory.ParseString("""
        akka.actor.provider = local
        akka.test.single-expect-default = 30s
        """).WithFallback(EngineConfig.Default), "reward-models"), IClassFixture<TinyRewardModels>
{
    private const int MaxSeqLen = 64;
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    private IActorRef Entity(RewardModelKind kind, string checkpoint, int batchSize, TimeSpan window) =>
        Sys.ActorOf(Props.Create(() => new RewardModelEntity(new RewardModelEntity.Options(kind, checkpoint, batchSize, window, MaxSeqLen), TinyRuns.Tokenizer, CPU))
            .WithDispatcher(EngineHost.ModelDispatcher));

    private static RewardModelTurn[] Turns(int request, int count) =>
        Enumerable.Range(0, count).Select(i => new RewardModelTurn($"Reverse the word river{request}.", $"The word is revir {request}{i}.")).ToArray();

    [Fact]
    public void Requests_that_arrive_together_share_one_forward_pass()
    {
        // The window never closes by itself: only the cap (8 turns) can run the batch, and the fourth request reaches it.
        var entity = Entity(RewardModelKind.Helpfulness, models.Helpfulness, batchSize: 8, Never);
        for (int r = 0; r < 4; r++) entity.Tell(new ScoreTurns($"r{r}", Turns(r, 2)));

        var replies = Enumerable.Range(0, 4).Select(_ => ExpectMsg<TurnsScored>()).ToArray();
        entity.Tell(new GetRewardModelStats());
        var stats = ExpectMsg<RewardModelStats>();

        Assert.Equal(["r0", "r1", "r2", "r3"], replies.Select(r => r.RequestId));
        Assert.All(replies, r => Assert.Equal(2, r.Scores.Count));
        Assert.Equal(new RewardModelStats(models.Helpfulness, "helpfulness", Requests: 4, Turns: 8, Forwards: 1, LargestBatch: 8), stats);
    }

    [Fact]
    public void A_request_alone_is_scored_when_the_window_closes()
    {
        var entity = Entity(RewardModelKind.Helpfulness, models.Helpfulness, batchSize: 100, TimeSpan.FromMilliseconds(30));
        entity.Tell(new ScoreTurns("alone", Turns(0, 3)));

        Assert.Equal(3, ExpectMsg<TurnsScored>().Scores.Count);
        entity.Tell(new GetRewardModelStats());
        Assert.Equal((1L, 3L, 1L), ExpectMsg<RewardModelStats>() is var s ? (s.Requests, s.Turns, s.Forwards) : default);
    }

    [Fact]
    public void Scores_equal_the_models_own_forward_and_more_turns_than_the_cap_take_several_passes()
    {
        var entity = Entity(RewardModelKind.Safety, models.Safety, batchSize: 3, Never);
        var first = Turns(1, 2);
        var second = Turns(2, 5);
        entity.Tell(new ScoreTurns("a", first));    // 2 waiting < 3, and the window never closes: it waits
        entity.Tell(new ScoreTurns("b", second));   // 7 waiting >= 3: scored as 3 + 3 + 1, request "b" spanning all three passes

        var a = ExpectMsg<TurnsScored>();
        var b = ExpectMsg<TurnsScored>();
        entity.Tell(new GetRewardModelStats());
        var stats = ExpectMsg<RewardModelStats>();

        Assert.Equal(3, stats.Forwards);
        Assert.Equal(3, stats.LargestBatch);
        var expected = TinyRewardModels.Direct(models.Safety, [.. first, .. second], MaxSeqLen);
        Assert.True(expected.Distinct().Count() > 1, "the test model must tell turns apart");
        Assert.Equal(expected, a.Scores.Concat(b.Scores).ToArray(), new WithinTolerance(1e-4));
    }

    [Fact]
    public void A_missing_checkpoint_fails_each_request_naming_the_path()
    {
        string missing = Path.Combine(models.Root, "no-such-model");
        var entity = Entity(RewardModelKind.Helpfulness, missing, batchSize: 2, Never);
        entity.Tell(new ScoreTurns("x", Turns(0, 1)));
        entity.Tell(new ScoreTurns("y", Turns(1, 1)));

        var failures = new[] { ExpectMsg<TurnScoringFailed>(), ExpectMsg<TurnScoringFailed>() };
        Assert.Equal(["x", "y"], failures.Select(f => f.RequestId));
        Assert.All(failures, f => Assert.Contains(missing, f.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_checkpoint_of_the_other_kind_is_refused_naming_the_path()
    {
        var entity = Entity(RewardModelKind.Helpfulness, models.Safety, batchSize: 1, Never);
        entity.Tell(new ScoreTurns("x", Turns(0, 1)));

        var failure = ExpectMsg<TurnScoringFailed>();
        Assert.Contains(models.Safety, failure.Reason, StringComparison.Ordinal);
        Assert.Contains("not a helpfulness one", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_verifier_scores_a_general_prompt_with_both_models_and_the_format_rule()
    {
        var settings = ModelRewardSettings.Defaults with
        {
            Helpfulness = models.Helpfulness, Safety = models.Safety, HelpfulnessWeight = 1.0, SafetyWeight = 0.5, FormatWeight = 0.2,
            BatchSize = 4, BatchWindow = TimeSpan.FromMilliseconds(20), MaxSeqLen = MaxSeqLen,
        };
        var region = Sys.ActorOf(Props.Create(() => new RegionStandIn(settings)));
        var scorer = new RolloutScorer(TinyRuns.Tokenizer, RewardSets.For(RewardWeights.R1Zero));
        var verifier = Sys.ActorOf(Props.Create(() => new RewardVerifierEntity(scorer, new RewardVerifierEntity.ModelScoring(region, settings, TinyRuns.Tokenizer))));
        var item = new TaskItem("general-00001", "Reverse the word river.", "", AnswerKind.General);
        string[] texts = ["<think>letters backwards</think> <answer>The word river reversed is revir.</answer>", "I don't know."];

        verifier.Tell(new VerifyRollouts("run/s000000-g0001", QuestionData.From(item), texts.Select((t, i) => Sampled(i, t)).ToArray()));
        var verified = ExpectMsg<RolloutsVerified>();

        var help = TinyRewardModels.Direct(models.Helpfulness, texts.Select(t => new RewardModelTurn(item.Question, ModelRewards.Summary(t))).ToArray(), MaxSeqLen);
        var safe = TinyRewardModels.Direct(models.Safety, texts.Select(t => new RewardModelTurn(item.Question, t)).ToArray(), MaxSeqLen);
        Assert.All(safe, logit => Assert.InRange(logit, -4f, 4f));   // sigmoid is not flat there: the safety term counts
        double[] expected = texts.Select((t, i) => help[i] + 0.5 / (1 + Math.Exp(-safe[i])) + 0.2 * FormatReward.Score(t).Value).ToArray();
        Assert.Equal(expected, verified.Rollouts.Select(r => r.Reward), new WithinTolerance(1e-4));
        Assert.Equal([true, false], verified.Rollouts.Select(r => r.FormatOk));
        Assert.All(verified.Rollouts, r => Assert.False(r.Correct));   // no rule says a general answer is right
        Assert.Equal("The word river reversed is revir.", verified.Rollouts[0].Answer);
    }

    [Fact]
    public void A_general_prompt_without_reward_models_fails_its_batch_instead_of_scoring_zero()
    {
        var scorer = new RolloutScorer(TinyRuns.Tokenizer, RewardSets.For(RewardWeights.R1Zero));
        var verifier = Sys.ActorOf(Props.Create(() => new RewardVerifierEntity(scorer, null)));
        var item = new TaskItem("general-00001", "Reverse the word river.", "", AnswerKind.General);

        verifier.Tell(new VerifyRollouts("g", QuestionData.From(item), [Sampled(0, "<answer>revir</answer>")]));

        var failure = ExpectMsg<Status.Failure>();
        Assert.Contains("r1.rewards.models.helpfulness", failure.Cause.Message, StringComparison.Ordinal);
    }

    private static SampledOutput Sampled(int sample, string text)
    {
        var ids = TinyRuns.Tokenizer.Encode(text);
        return new SampledOutput(sample, ids, ids.Select(_ => -1f).ToArray(), FinishReason.Stop, 1);
    }

    // What a shard region does with a ShardingEnvelope, on one node: the entity of the envelope's id, created on first
    // use with the props Placement gives it, gets the message with the asker as sender.
    private sealed class RegionStandIn : ReceiveActor
    {
        public RegionStandIn(ModelRewardSettings settings) => Receive<ShardingEnvelope>(envelope =>
        {
            var child = Context.Child(envelope.EntityId);
            if (child.IsNobody())
            {
                var kind = EntityIds.RewardModelOf(envelope.EntityId);
                var options = new RewardModelEntity.Options(kind, settings.Checkpoint(kind), settings.BatchSize, settings.BatchWindow, settings.MaxSeqLen);
                child = Context.ActorOf(Props.Create(() => new RewardModelEntity(options, TinyRuns.Tokenizer, CPU)).WithDispatcher(EngineHost.ModelDispatcher), envelope.EntityId);
            }
            child.Forward(envelope.Message);
        });
    }

    private sealed class WithinTolerance(double tolerance) : IEqualityComparer<float>, IEqualityComparer<double>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
        public int GetHashCode(double obj) => 0;
    }
}
