using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Training;

public class GrpoTrainingTests
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private static PolicyModel TinyPolicy(long seed = 1) => new(ModelConfig.Defaults with {
        VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
        MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
    }, seed: seed);

    private static readonly GrpoSettings Settings = GrpoSettings.Defaults with { Steps = 2, PromptsPerStep = 2, GroupSize = 3, LearningRate = 1e-3 };
    private static readonly SamplingOptions Sampling = SamplingOptions.Defaults with { MaxNewTokens = 12, Temperature = 1.0 };

    private static float[] Weights(PolicyModel model) =>
        model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();

    [Fact]
    public void Same_seed_gives_identical_rollouts_losses_and_weights()
    {
        (IReadOnlyList<StepResult> Steps, float[] Weights) Run()
        {
            using var policy = TinyPolicy();
            using var trainer = new InlineGrpoTrainer(policy, Tokenizer, new ArithmeticTask(), Settings, Sampling, seed: 77);
            var steps = trainer.Run().ToList();
            return (steps, Weights(policy));
        }
        var a = Run();
        var b = Run();
        Assert.Equal(a.Weights, b.Weights);
        for (int s = 0; s < 2; s++)
        {
            Assert.Equal(a.Steps[s].Metrics with { StepSeconds = 0 }, b.Steps[s].Metrics with { StepSeconds = 0 });
            Assert.Equal(a.Steps[s].Groups.SelectMany(g => g.Rollouts.SelectMany(r => r.CompletionIds)),
                         b.Steps[s].Groups.SelectMany(g => g.Rollouts.SelectMany(r => r.CompletionIds)));
        }
    }

    [Fact]
    public void A_step_uses_the_steps_questions_and_changes_the_policy()
    {
        using var policy = TinyPolicy();
        using var trainer = new InlineGrpoTrainer(policy, Tokenizer, new ArithmeticTask(), Settings with { FormatWeight = 1.0 }, Sampling, seed: 5);
        var result = trainer.RunStep(0);
        Assert.Equal(2, result.Groups.Count);
        Assert.All(result.Groups, g => Assert.Equal(3, g.Rollouts.Count));
        Assert.Equal(new TrainingPrompts(new ArithmeticTask(), 5, 2).ForStep(0).Select(i => i.Id), result.Groups.Select(g => g.Item.Id));
        Assert.True(double.IsFinite(result.Metrics.Loss));
        Assert.Equal(1, trainer.Learner.StepsApplied);
        Assert.Equal(1, result.Metrics.MiniBatches);
        Assert.Equal(6, result.Metrics.Outputs);
    }

    [Fact]
    public void Sampling_a_group_alone_or_batched_with_others_gives_the_same_rollouts()
    {
        using var policy = TinyPolicy();
        var sampler = new GroupSampler(Tokenizer, new RolloutScorer(Tokenizer, Rl.Rewards.RewardSets.For(Settings.RewardWeights)), Sampling, 9, 3);
        var items = new TrainingPrompts(new ArithmeticTask(), 9, 3).ForStep(4);
        var requests = items.Select((item, i) => new GroupRequest(4, i, item)).ToArray();
        var together = sampler.Sample(policy, 0, requests);
        var alone = sampler.Sample(policy, 0, [requests[1]]);
        Assert.Equal(together[1].Rollouts.Select(r => r.CompletionIds), alone[0].Rollouts.Select(r => r.CompletionIds));
    }

    [Fact]
    public void Packing_marks_only_completion_tokens_and_places_old_log_probs_there()
    {
        using var scope = NewDisposeScope();
        var rollout = new Rollout(0, [7, 8], [-0.5f, -0.25f], FinishReason.Stop, "x", 1, true, true, "1", 0);
        var longer = rollout with { CompletionIds = [7, 8, 9], OldLogProbs = [-1f, -2f, -3f] };
        var batch = TrainingBatch.Pack([new TrainingRow([1, 2, 3], rollout, 0.5), new TrainingRow([4], longer, -0.5)], padId: 0, CPU);
        Assert.Equal(new long[] { 2, 5 }, batch.Ids.shape);
        Assert.Equal(new long[] { 1, 2, 3, 7, 8, 4, 7, 8, 9, 0 }, batch.Ids.data<long>().ToArray());
        Assert.Equal(new[] { false, false, false, true, true, false, true, true, true, false }, batch.Scored.data<bool>().ToArray());
        Assert.Equal(new[] { true, true, true, true, true, true, true, true, true, false }, batch.Valid.data<bool>().ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f, -0.5f, -0.25f, 0f, -1f, -2f, -3f, 0f }, batch.OldLogProbs.data<float>().ToArray());
        Assert.Equal(new[] { 0.5f, -0.5f }, batch.Advantages.data<float>().ToArray());
    }

    [Fact]
    public void A_sample_older_than_the_staleness_bound_is_left_out_of_the_update_and_counted()
    {
        var item = new TaskItem("q", "What is 1 + 1?", "2");
        Rollout Sampled(int sample, long version, double reward) =>
            new(sample, [5, 6], [-1f, -1.5f], FinishReason.Stop, "x", reward, reward > 0, true, null, version);
        // Step 3 trains on versions up to 3: lags 0, 1, 2 and 0; with a bound of 1 the lag-2 sample goes.
        var group = new RolloutGroup(3, 0, item, [3, 4], [Sampled(0, 3, 1), Sampled(1, 2, 0), Sampled(2, 1, 1), Sampled(3, 3, 0)]);
        using (var policy = TinyPolicy())
        using (var learner = new GrpoLearner(policy, Settings with { Beta = 0, GroupSize = 4 }, 1.0, 12, maxStaleness: 1))
        {
            var update = learner.Step(3, [group]);
            Assert.Equal(new StalenessStats(1.0 / 3, 1, 1), update.Staleness);
            Assert.Equal(4, update.Metrics.Outputs);                 // sampled for the question: its reward counts
            Assert.Equal(4, update.Advantages[0].Count);
        }
        // Every sample too old: nothing is trained on, the weights stay as they were.
        using (var policy = TinyPolicy())
        using (var learner = new GrpoLearner(policy, Settings with { Beta = 0, GroupSize = 4 }, 1.0, 12, maxStaleness: 0))
        {
            var before = Weights(policy);
            var stale = group with { Rollouts = group.Rollouts.Select(r => r with { PolicyVersion = 2 }).ToArray() };
            var update = learner.Step(3, [stale]);
            Assert.Equal(new StalenessStats(0, 0, 4), update.Staleness);
            Assert.Equal(0, update.Metrics.MiniBatches);
            Assert.Equal(before, Weights(policy));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoLearner(TinyPolicy(), Settings, 1.0, 12, maxStaleness: -1));
    }

    [Fact]
    public void Dynamic_sampling_skips_the_update_when_every_group_is_uniform()
    {
        using var policy = TinyPolicy();
        var before = Weights(policy);
        using var learner = new GrpoLearner(policy, Settings with { DynamicSampling = true, Beta = 0 }, 1.0, 12);
        var item = new TaskItem("q", "What is 1 + 1?", "2");
        var rollout = new Rollout(0, [5, 6], [-1f, -1f], FinishReason.Stop, "x", 0.0, false, false, null, 0);
        var group = new RolloutGroup(0, 0, item, [3, 4], [rollout, rollout with { Sample = 1 }]);
        var metrics = learner.Step(0, [group]).Metrics;
        Assert.Equal(0, metrics.MiniBatches);
        Assert.Equal(1.0, metrics.FracZeroStdGroups);
        Assert.Equal(before, Weights(policy));
    }

    [Fact]
    public void Positive_advantage_raises_the_probability_of_that_completion()
    {
        using var policy = TinyPolicy(3);
        var settings = Settings with { Beta = 0, LearningRate = 1e-2, GradClip = 0 };
        using var learner = new GrpoLearner(policy, settings, 1.0, 12);
        var item = new TaskItem("q", "What is 1 + 1?", "2");
        var prompt = Tokenizer.Encode("What is 1 + 1?");
        int[] good = [.. Tokenizer.Encode(" 2"), Tokenizer.EosId];
        int[] bad = [.. Tokenizer.Encode(" 3"), Tokenizer.EosId];
        float[] TokenLogProbs(int[] completion)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var ids = prompt.Concat(completion).Select(t => (long)t).ToArray();
            var scored = ids.Select((_, i) => i >= prompt.Count).ToArray();
            using var s = Model.Training.TokenLogProbs.Compute(policy, tensor(ids).unsqueeze(0), ones([1, ids.Length], ScalarType.Bool), tensor(scored).unsqueeze(0));
            return s.LogProbs[0].data<float>().ToArray()[prompt.Count..];
        }
        double LogProb(int[] completion) => TokenLogProbs(completion).Sum();
        var (goodBefore, badBefore) = (LogProb(good), LogProb(bad));
        // pi_old is the current policy, as after sampling: the ratio starts at 1.
        Rollout Make(int sample, int[] ids, double reward) =>
            new(sample, ids, TokenLogProbs(ids), FinishReason.Stop, "", reward, reward > 0, true, null, 0);
        var group = new RolloutGroup(0, 0, item, prompt, [Make(0, good, 1), Make(1, bad, 0)]);
        // The learner computes the advantages from the rewards: group-std gives the good one +1, the bad one -1.
        var used = learner.Step(0, [group]).Advantages[0];
        Assert.Equal(1.0, used[0], 1e-3);
        Assert.Equal(-1.0, used[1], 1e-3);
        Assert.True(LogProb(good) > goodBefore);
        Assert.True(LogProb(bad) < badBefore);
    }
}
