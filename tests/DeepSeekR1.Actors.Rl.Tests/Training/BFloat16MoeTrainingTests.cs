using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Training;

/// <summary>
/// A GRPO step of a bfloat16 MoE policy (issue 23) trains through float32 masters, the learner's and, with the routed
/// experts on expert shards, each shard's own, and moves the weights the float32 step moves.
/// </summary>
public sealed class BFloat16MoeTrainingTests
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private static PolicyModel MoePolicy(ModelDtype dtype) => new(ModelConfig.Defaults with
    {
        VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
        MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
        MoeLayers = [0, 1], NumRoutedExperts = 4, ExpertsPerToken = 2, NumSharedExperts = 1, MoeIntermediateSize = 16, Dtype = dtype,
    }, seed: 11);

    // A clip that acts (the global norm then decides every update's size), two mini-batches (two numbered shard updates).
    private static readonly GrpoSettings Settings = GrpoSettings.Defaults with
    {
        Steps = 1, PromptsPerStep = 2, GroupSize = 3, LearningRate = 3e-3, MiniBatches = 2, GradClip = 0.05, Beta = 0.04,
    };

    private static RolloutGroup[] Groups(long step = 0) => HandMadeGroups.For(step, Settings.PromptsPerStep, Settings.GroupSize, Tokenizer);

    private sealed record Outcome(Dictionary<string, float[]> Before, Dictionary<string, float[]> After, double Loss, double GradNorm,
        IReadOnlyList<ExpertLayerLoad> Load);

    private static Dictionary<string, float[]> Snapshot(GrpoLearner learner) =>
        learner.Weights().ToDictionary(kv => kv.Key, kv => kv.Value.detach().to_type(ScalarType.Float32).flatten().data<float>().ToArray());

    private static Outcome Step(ModelDtype dtype, int shards, Action<GrpoLearner>? inspect = null)
    {
        using var policy = MoePolicy(dtype);
        using var learner = new GrpoLearner(policy, Settings, 1.0, 12, ExpertSettings.Defaults with { Shards = shards });
        var before = Snapshot(learner);
        var update = learner.Step(0, Groups());
        inspect?.Invoke(learner);
        return new Outcome(before, Snapshot(learner), update.Metrics.Loss, update.Metrics.GradNorm, update.ExpertLoad);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_bfloat16_moe_step_moves_every_weight_the_float32_step_moves_and_in_the_same_direction(int shards)
    {
        var wide = Step(ModelDtype.Float32, shards);
        var low = Step(ModelDtype.Bfloat16, shards);
        Assert.Equal(wide.Before.Keys.Order(), low.Before.Keys.Order());
        Assert.Contains(wide.Before.Keys, k => k.Contains(".mlp.experts.3.", StringComparison.Ordinal));
        Assert.Contains(wide.Before.Keys, k => k.EndsWith(".mlp.gate.weight", StringComparison.Ordinal));
        double dot = 0, wideSquare = 0, lowSquare = 0;
        foreach (var name in wide.Before.Keys)
        {
            // The balancing bias moves by the load, not the gradient; a layer whose two runs routed a little differently
            // may balance exactly in one of them (checked below).
            if (name.EndsWith("e_score_correction_bias", StringComparison.Ordinal)) continue;
            var dw = wide.After[name].Zip(wide.Before[name], (a, b) => (double)a - b).ToArray();
            var dl = low.After[name].Zip(low.Before[name], (a, b) => (double)a - b).ToArray();
            bool wideMoved = dw.Any(d => d != 0), lowMoved = dl.Any(d => d != 0);
            Assert.True(wideMoved == lowMoved, $"{name}: the float32 step {(wideMoved ? "moved" : "left")} it, the bfloat16 step {(lowMoved ? "moved" : "left")} it");
            dot += dw.Zip(dl, (a, b) => a * b).Sum();
            wideSquare += dw.Sum(d => d * d);
            lowSquare += dl.Sum(d => d * d);
        }
        // Stated tolerance: the two updates, as vectors over every weight, point the same way (cosine above 0.9) and have
        // sizes within 25% (the clip to 0.05 sets both); the losses agree within 0.02; the global norms within 5%.
        double cosine = dot / Math.Sqrt(wideSquare * lowSquare);
        Assert.True(cosine > 0.9, $"cosine of the bfloat16 and float32 updates {cosine}");
        Assert.True(Math.Abs(Math.Sqrt(lowSquare / wideSquare) - 1) < 0.25, $"update sizes {Math.Sqrt(wideSquare)} (float32), {Math.Sqrt(lowSquare)} (bfloat16)");
        Assert.True(Math.Abs(low.Loss - wide.Loss) < 0.02, $"float32 loss {wide.Loss}, bfloat16 loss {low.Loss}");
        Assert.True(Math.Abs(low.GradNorm / wide.GradNorm - 1) < 0.05, $"gradient norms {wide.GradNorm} (float32), {low.GradNorm} (bfloat16)");
        // The balancing bias moved (by the float32 rule: MoeRouter keeps it float32).
        Assert.Contains(low.Load, layer => layer.Bias.Any(b => b != 0));
    }

    [Fact]
    public void With_bfloat16_experts_on_shards_each_shard_steps_float32_masters_and_the_clip_sees_the_learners_gradients()
    {
        var inProcess = Step(ModelDtype.Bfloat16, shards: 0);
        var sharded = Step(ModelDtype.Bfloat16, shards: 2, learner =>
        {
            var set = Assert.IsType<ExpertShardSet>(learner.Shards);
            Assert.All(set.Shards, shard =>
            {
                Assert.True(shard.KeepsMasters);
                Assert.All(shard.NamedParameters(), p => Assert.Equal(ScalarType.BFloat16, p.Parameter.dtype));
                Assert.All(shard.Optimizer.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
                // After the step the experts are their masters rounded, and the masters hold what rounding dropped.
                using var scope = NewDisposeScope();
                bool below = false;
                foreach (var ((name, p), (_, m)) in shard.NamedParameters().Zip(shard.NamedTrainable()))
                {
                    Assert.True(p.eq(m.to_type(ScalarType.BFloat16)).all().item<bool>(), $"{name} is not its master rounded");
                    below |= p.to_type(ScalarType.Float32).ne(m).any().item<bool>();
                }
                Assert.True(below, "no master holds bits below bfloat16 resolution: the shard did not step float32 masters");
            });
        });
        // One global gradient norm over the learner's gradients and the shards': the same as with the experts in their
        // layers (a norm taken from the learner's bfloat16 gradients after they moved to its masters would miss its share).
        Assert.True(Math.Abs(sharded.GradNorm / inProcess.GradNorm - 1) < 1e-3, $"gradient norm {sharded.GradNorm} on shards, {inProcess.GradNorm} in process");
        foreach (var name in inProcess.After.Keys)
        {
            double worst = inProcess.After[name].Zip(sharded.After[name], (a, b) => Math.Abs(a - b)).Max();
            double step = inProcess.After[name].Max(Math.Abs) / 64;   // a few bfloat16 steps
            Assert.True(worst <= step, $"{name}: on shards differs by {worst} from in process");
        }
    }

    // The shards' masters are saved beside their optimizer states (optimizer.expert-shard-N.masters.safetensors): a
    // resumed bfloat16 run then takes the next step exactly as the one never stopped, the shards' experts included.
    [Fact]
    public void A_bfloat16_learner_with_shards_resumed_from_its_files_takes_the_same_next_step()
    {
        string folder = Directory.CreateTempSubdirectory("r1-bf16-shards-").FullName;
        string optimizerFile = Path.Combine(folder, "optimizer.bin");
        var experts = ExpertSettings.Defaults with { Shards = 2 };
        var settings = Settings with { Steps = 2, LearningRate = 1e-4 };   // updates mostly below bfloat16 resolution
        try
        {
            using var policy = MoePolicy(ModelDtype.Bfloat16);
            using var learner = new GrpoLearner(policy, settings, 1.0, 12, experts);
            learner.Step(0, Groups());
            var files = learner.SaveOptimizerState(optimizerFile).Select(Path.GetFileName).ToArray();
            Assert.Contains("optimizer.expert-shard-0.masters.safetensors", files);
            Assert.Contains("optimizer.expert-shard-1.masters.safetensors", files);
            var weights = learner.Weights().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

            using var restored = MoePolicy(ModelDtype.Bfloat16);
            using var resumed = new GrpoLearner(restored, settings, 1.0, 12, experts);
            resumed.LoadWeights(weights, "the saved weights");
            resumed.LoadOptimizerState(optimizerFile);
            resumed.ResumeAt(1);

            learner.Step(1, Groups(1));
            resumed.Step(1, Groups(1));
            var expected = learner.Weights().ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var (name, tensor) in resumed.Weights())
                Assert.True(tensor.eq(expected[name]).all().item<bool>(), $"{name} differs between the resumed learner and the one never stopped");
            foreach (var (mine, theirs) in ((ExpertShardSet)learner.Shards!).Shards.Zip(((ExpertShardSet)resumed.Shards!).Shards))
                foreach (var ((name, a), (_, b)) in mine.NamedTrainable().Zip(theirs.NamedTrainable()))
                    Assert.True(a.eq(b).all().item<bool>(), $"shard master {name} differs");

            // Without the shards' masters the resume is refused, naming the file.
            File.Delete(Path.Combine(folder, "optimizer.expert-shard-1.masters.safetensors"));
            using var again = MoePolicy(ModelDtype.Bfloat16);
            using var refused = new GrpoLearner(again, settings, 1.0, 12, experts);
            var e = Assert.Throws<Model.Checkpoints.CheckpointException>(() => refused.LoadOptimizerState(optimizerFile));
            Assert.EndsWith("optimizer.expert-shard-1.masters.safetensors", e.Path);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
