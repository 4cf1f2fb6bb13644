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

    private static readonly ModelConfig MoeConfig = ModelConfig.Defaults with
    {
        VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
        MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
        MoeLayers = [0, 1], NumRoutedExperts = 4, ExpertsPerToken = 2, NumSharedExperts = 1, MoeIntermediateSize = 16,
    };

    // DeepSeek-V3's shape: a multi-token prediction module whose layer is MoE too (aux-free balancing, as V3 trains).
    private static readonly ModelConfig MoeWithMtp = MoeConfig with { MtpLayers = 1, MoeLayers = [0, 1, 2], LoadBalancing = LoadBalancing.AuxFree };

    // Two mini-batches per step, so a step makes two numbered updates on every shard; a tight clip so clipping acts.
    private static readonly GrpoSettings Settings = GrpoSettings.Defaults with
    {
        Steps = 3, PromptsPerStep = 2, GroupSize = 3, LearningRate = 3e-3, MiniBatches = 2, GradClip = 0.05, FormatWeight = 1.0,
    };

    private sealed record Outcome(IReadOnlyList<LearnerUpdate> Steps, Dictionary<string, float[]> Weights, Dictionary<string, (float[] Avg, float[] Sq)> Moments);

    private static RolloutGroup[] Groups(long step) => HandMadeGroups.For(step, Settings.PromptsPerStep, Settings.GroupSize, Tokenizer);

    private static Outcome Run(int shards, ModelConfig? config = null)
    {
        using var policy = new PolicyModel(config ?? MoeConfig, seed: 11);
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

    [Fact]
    public void With_a_moe_prediction_module_two_shards_train_like_one_process_and_the_modules_experts_stay_with_the_learner()
    {
        var local = Run(0, MoeWithMtp);
        var sharded = Run(2, MoeWithMtp);
        for (int s = 0; s < 3; s++) Assert.Equal(local.Steps[s].Metrics.Loss, sharded.Steps[s].Metrics.Loss, 1e-5);
        Assert.Equal(local.Weights.Keys.Order(), sharded.Weights.Keys.Order());
        Assert.Contains("model.layers.2.mlp.experts.0.up_proj.weight", sharded.Weights.Keys);
        foreach (var (name, w) in local.Weights) Close(w, sharded.Weights[name], 1e-5, name);

        // RL leaves the module alone: its experts are the initial ones, and they sit in the learner's checkpoint part.
        using var initial = new PolicyModel(MoeWithMtp, seed: 11);
        var start = initial.state_dict()["model.layers.2.mlp.experts.1.down_proj.weight"].flatten().data<float>().ToArray();
        Close(start, sharded.Weights["model.layers.2.mlp.experts.1.down_proj.weight"], 0, "the module's expert");
        using var policy = new PolicyModel(MoeWithMtp, seed: 11);
        using var learner = new GrpoLearner(policy, Settings, 1.0, 12, ExpertSettings.Defaults with { Shards = 2 });
        Assert.Equal(0, learner.CheckpointPartOf!("model.layers.2.mlp.experts.1.down_proj.weight"));
        Assert.Equal(2, learner.CheckpointPartOf!("model.layers.1.mlp.experts.1.down_proj.weight"));
        Assert.Contains("model.layers.2.mlp.experts.1.down_proj.weight", policy.state_dict().Keys);
        Assert.DoesNotContain("model.layers.1.mlp.experts.1.down_proj.weight", policy.state_dict().Keys);

        // A whole checkpoint's tensors load back: the module's experts into the learner's layers, the rest onto the shards.
        var whole = learner.Weights().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        learner.LoadWeights(whole, "the learner's own weights");
        foreach (var (name, w) in learner.Weights()) Assert.True(w.equal(whole[name]).all().item<bool>(), name);
    }
}
