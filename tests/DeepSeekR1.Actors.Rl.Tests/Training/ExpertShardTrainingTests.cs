using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Training;

/// <summary>The learner with its routed experts on expert shards trains exactly as with the experts in their layers.</summary>
public class ExpertShardTrainingTests
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private static PolicyModel MoePolicy() => new(ModelConfig.Defaults with
    {
        VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
        MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
        MoeLayers = [0, 1], NumRoutedExperts = 4, ExpertsPerToken = 2, NumSharedExperts = 1, MoeIntermediateSize = 16,
    }, seed: 11);

    // Two mini-batches per step, so a step makes two numbered updates on every shard; a tight clip so clipping acts.
    private static readonly GrpoSettings Settings = GrpoSettings.Defaults with
    {
        Steps = 3, PromptsPerStep = 2, GroupSize = 3, LearningRate = 3e-3, MiniBatches = 2, GradClip = 0.05, FormatWeight = 1.0,
    };

    private sealed record Outcome(IReadOnlyList<LearnerUpdate> Steps, Dictionary<string, float[]> Weights, Dictionary<string, (float[] Avg, float[] Sq)> Moments);

    // Hand-made groups with rewards that differ within each group, so advantages (and gradients) are far from zero.
    private static RolloutGroup[] Groups(long step)
    {
        var random = new Random((int)step + 3);
        return Enumerable.Range(0, Settings.PromptsPerStep).Select(g =>
        {
            int[] prompt = Enumerable.Range(0, 6).Select(_ => random.Next(3, Tokenizer.VocabSize)).ToArray();
            var rollouts = Enumerable.Range(0, Settings.GroupSize).Select(s =>
            {
                int[] ids = [.. Enumerable.Range(0, 5 + s).Select(_ => random.Next(3, Tokenizer.VocabSize)), Tokenizer.EosId];
                float[] old = ids.Select(_ => (float)(-6.5 + random.NextDouble())).ToArray();
                return new Rollout(s, ids, old, FinishReason.Stop, "", s % 2, s % 2 == 1, true, null, step);
            }).ToArray();
            return new RolloutGroup(step, g, new TaskItem($"q{g}", "", ""), prompt, rollouts);
        }).ToArray();
    }

    private static Outcome Run(int shards)
    {
        using var policy = MoePolicy();
        using var learner = new GrpoLearner(policy, Settings, 1.0, 12, ExpertSettings.Defaults with { Shards = shards });
        var steps = Enumerable.Range(0, 3).Select(step => learner.Step(step, Groups(step))).ToList();
        Assert.Equal(shards > 0, learner.Shards is not null);
        var weights = learner.Weights().ToDictionary(kv => kv.Key, kv => kv.Value.detach().flatten().data<float>().ToArray());
        var moments = new Dictionary<string, (float[], float[])>();
        void Collect(IEnumerable<(string Name, Parameter P)> named, OptimizerHelper optimizer)
        {
            var states = optimizer.state_dict().State;
            foreach (var ((name, _), state) in named.Zip(states))
            {
                var adam = (AdamW.State)state;
                moments[name] = (adam.exp_avg.flatten().data<float>().ToArray(), adam.exp_avg_sq.flatten().data<float>().ToArray());
            }
        }
        Collect(policy.named_parameters().Select(p => (p.name, p.parameter)), learner.Optimizer);
        foreach (var shard in (learner.Shards as ExpertShardSet)?.Shards ?? []) Collect(shard.NamedParameters(), shard.Optimizer);
        return new Outcome(steps, weights, moments);
    }

    private static void Close(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= tolerance, $"{what} differs by {worst}");
    }

    [Fact]
    public void Three_steps_on_two_shards_give_the_local_losses_weights_and_optimizer_moments()
    {
        var local = Run(0);
        var sharded = Run(2);
        for (int s = 0; s < 3; s++)
        {
            Assert.Equal(local.Steps[s].Metrics.Loss, sharded.Steps[s].Metrics.Loss, 1e-5);
            Assert.Equal(local.Steps[s].Metrics.GradNorm, sharded.Steps[s].Metrics.GradNorm, 1e-4);
            Assert.Equal(2, sharded.Steps[s].Metrics.MiniBatches);
        }
        Assert.True(local.Steps.Any(s => s.Metrics.GradNorm > Settings.GradClip), "clipping never acted, so the test does not check the global norm");
        Assert.Equal(local.Weights.Keys.Order(), sharded.Weights.Keys.Order());
        Assert.Contains(local.Weights.Keys, k => ExpertShardSet.IsRoutedExpert(k));
        foreach (var (name, w) in local.Weights) Close(w, sharded.Weights[name], 1e-5, name);
        Assert.Equal(local.Moments.Keys.Order(), sharded.Moments.Keys.Order());
        foreach (var (name, (avg, sq)) in local.Moments)
        {
            Close(avg, sharded.Moments[name].Avg, 1e-6, $"{name} exp_avg");
            Close(sq, sharded.Moments[name].Sq, 1e-7, $"{name} exp_avg_sq");
        }
    }
}
