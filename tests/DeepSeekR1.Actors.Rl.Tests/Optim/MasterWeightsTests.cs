using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Optim;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Model.Sampling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Optim;

/// <summary>Mixed-precision training of a bfloat16 policy through float32 master weights (issue 23).</summary>
public sealed class MasterWeightsTests
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private static PolicyModel TinyPolicy(ModelDtype dtype) => new(ModelConfig.Defaults with {
        VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
        MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId, Dtype = dtype,
    }, seed: 3);

    private static readonly GrpoSettings Settings = GrpoSettings.Defaults with { Steps = 2, PromptsPerStep = 2, GroupSize = 2, LearningRate = 1e-2, Beta = 0.04 };

    [Fact]
    public void Updates_below_bfloat16_resolution_accumulate_in_the_masters_and_reach_the_weights()
    {
        // 1.0 in bfloat16 has neighbours 1 - 2^-8 and 1 + 2^-7: an AdamW step of 1e-4 rounds away on the weight itself.
        using var weight = new Parameter(ones(4, ScalarType.BFloat16));
        using var masters = MasterWeights.For([weight]);
        Assert.True(masters.Active);
        Assert.All(masters.Trainable, m => Assert.Equal(ScalarType.Float32, m.dtype));
        using var adam = OptimizerFactory.CreateAdamW(masters.Trainable, new AdamWSettings { LearningRate = 1e-4, WeightDecay = 0 });
        for (int step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            weight.sum().backward();   // gradient +1 everywhere: Adam moves each master by about -lr a step
            masters.GradientsToMasters();
            Assert.Equal(0f, weight.grad!.abs().sum().to_type(ScalarType.Float32).item<float>());   // the bfloat16 gradient is cleared for the next pass
            adam.step();
            masters.MastersToParameters();
        }
        using var after = weight.detach().to_type(ScalarType.Float32);
        float moved = 1f - after[0].item<float>();
        Assert.True(moved >= 1f / 256, $"the bfloat16 weight moved by {moved}: 40 updates of 1e-4 were lost to rounding");
        Assert.True(moved <= 1f / 128, $"the bfloat16 weight moved by {moved}, more than 40 updates of 1e-4");
    }

    [Fact]
    public void A_float32_model_keeps_no_masters_and_steps_its_own_parameters()
    {
        using var policy = TinyPolicy(ModelDtype.Float32);
        var parameters = policy.parameters().ToList();
        using var masters = MasterWeights.For(parameters);
        Assert.False(masters.Active);
        Assert.Equal(parameters.Select(p => p.Handle), masters.Trainable.Select(p => p.Handle));
    }

    [Fact]
    public void Adamw_over_bfloat16_parameters_without_masters_is_refused_naming_the_issue()
    {
        using var weight = new Parameter(ones(4, ScalarType.BFloat16));
        var e = Assert.Throws<NotSupportedException>(() => OptimizerFactory.CreateAdamW([weight], new AdamWSettings { LearningRate = 1e-3 }));
        Assert.Contains("issue 23", e.Message);
    }

    private static readonly IReadOnlyList<int> Prompt = Tokenizer.Encode("What is 1 + 1?");
    private static readonly int[] Good = [.. Tokenizer.Encode(" 2"), Tokenizer.EosId];
    private static readonly int[] Bad = [.. Tokenizer.Encode(" 3"), Tokenizer.EosId];

    // The policy's log-probability of each token of `completion` after the prompt.
    private static float[] LogProbs(PolicyModel policy, int[] completion)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = Prompt.Concat(completion).Select(t => (long)t).ToArray();
        var scored = ids.Select((_, i) => i >= Prompt.Count).ToArray();
        using var s = Model.Training.TokenLogProbs.Compute(policy, tensor(ids).unsqueeze(0), ones([1, ids.Length], ScalarType.Bool), tensor(scored).unsqueeze(0));
        return s.LogProbs[0].data<float>().ToArray()[Prompt.Count..];
    }

    // A fixed group for step `step`, the right answer rewarded, scored by the policy as it is now (pi_old = the policy).
    private static RolloutGroup GroupFor(PolicyModel policy, long step)
    {
        Rollout Make(int sample, int[] ids, double reward) => new(sample, ids, LogProbs(policy, ids), FinishReason.Stop, "", reward, reward > 0, true, null, 0);
        return new RolloutGroup(step, 0, new TaskItem("q", "What is 1 + 1?", "2"), Prompt, [Make(0, Good, 1), Make(1, Bad, 0)]);
    }

    // One GRPO step of the learner on the fixed group, returning the log-probability of the good completion before and
    // after and the step's loss.
    private static (double Before, double After, double Loss, PolicyModel Policy, GrpoLearner Learner) OneStep(ModelDtype dtype)
    {
        var policy = TinyPolicy(dtype);
        var learner = new GrpoLearner(policy, Settings with { GradClip = 1.0 }, 1.0, 12);
        double before = LogProbs(policy, Good).Sum();
        var metrics = learner.Step(0, [GroupFor(policy, 0)]).Metrics;
        return (before, LogProbs(policy, Good).Sum(), metrics.Loss, policy, learner);
    }

    [Fact]
    public void A_bfloat16_grpo_step_moves_the_policy_like_the_float32_step_and_keeps_bfloat16_weights_over_float32_masters()
    {
        var wide = OneStep(ModelDtype.Float32);
        var low = OneStep(ModelDtype.Bfloat16);
        try
        {
            Assert.All(low.Policy.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
            Assert.All(low.Learner.Optimizer.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            Assert.Equal(low.Policy.parameters().Count(), low.Learner.Optimizer.parameters().Count());
            // Stated tolerance: the good completion's log-probability rises in both, by amounts within 25% of each other,
            // and the losses agree within 0.02 (both start at ratio 1 with the same advantages).
            double riseWide = wide.After - wide.Before, riseLow = low.After - low.Before;
            Assert.True(riseWide > 0 && riseLow > 0, $"float32 rise {riseWide}, bfloat16 rise {riseLow}");
            Assert.True(Math.Abs(riseLow - riseWide) < 0.25 * riseWide, $"float32 rise {riseWide}, bfloat16 rise {riseLow}");
            Assert.True(Math.Abs(low.Loss - wide.Loss) < 0.02, $"float32 loss {wide.Loss}, bfloat16 loss {low.Loss}");
        }
        finally
        {
            wide.Learner.Dispose(); wide.Policy.Dispose();
            low.Learner.Dispose(); low.Policy.Dispose();
        }
    }

    [Fact]
    public void A_bfloat16_learner_resumed_from_its_checkpoint_takes_the_same_next_step_as_one_never_stopped()
    {
        // A small learning rate: most of each update stays below bfloat16 resolution and lives only in the masters.
        var settings = Settings with { Steps = 3, LearningRate = 1e-4, GradClip = 1.0 };
        string folder = Directory.CreateTempSubdirectory("r1-masters-").FullName;
        string optimizerFile = Path.Combine(folder, "optimizer.bin");
        try
        {
            using var policy = TinyPolicy(ModelDtype.Bfloat16);
            using var learner = new GrpoLearner(policy, settings, 1.0, 12);
            learner.Step(0, [GroupFor(policy, 0)]);
            var files = learner.SaveOptimizerState(optimizerFile);
            Assert.Contains(MasterWeights.PathBeside(optimizerFile), files);
            Model.Checkpoints.PolicyCheckpoint.Save(policy, Path.Combine(folder, "weights"));

            using var restored = Model.Checkpoints.PolicyCheckpoint.Load(Path.Combine(folder, "weights"), dtype: ModelDtype.Bfloat16);
            using var resumed = new GrpoLearner(restored, settings, 1.0, 12);
            resumed.LoadOptimizerState(optimizerFile);
            resumed.ResumeAt(1);

            learner.Step(1, [GroupFor(policy, 1)]);
            resumed.Step(1, [GroupFor(restored, 1)]);
            foreach (var ((name, a), (_, b)) in policy.named_parameters().Zip(restored.named_parameters()))
                Assert.True(a.eq(b).all().item<bool>(), $"{name} differs between the resumed learner and the one never stopped");
            foreach (var (a, b) in learner.Optimizer.parameters().Zip(resumed.Optimizer.parameters()))
                Assert.True(a.eq(b).all().item<bool>(), "a float32 master differs between the resumed learner and the one never stopped");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_bfloat16_learner_refuses_an_optimizer_state_without_its_master_weights()
    {
        string folder = Directory.CreateTempSubdirectory("r1-masters-").FullName;
        string optimizerFile = Path.Combine(folder, "optimizer.bin");
        try
        {
            using (var wide = TinyPolicy(ModelDtype.Float32))
            using (var wideLearner = new GrpoLearner(wide, Settings, 1.0, 12))
            {
                Assert.Single(wideLearner.SaveOptimizerState(optimizerFile));   // a float32 run keeps no masters
            }
            using var policy = TinyPolicy(ModelDtype.Bfloat16);
            using var learner = new GrpoLearner(policy, Settings, 1.0, 12);
            var e = Assert.Throws<Model.Checkpoints.CheckpointException>(() => learner.LoadOptimizerState(optimizerFile));
            Assert.Equal(MasterWeights.PathBeside(optimizerFile), e.Path);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Masters_saved_for_one_model_are_refused_by_another_naming_the_tensor()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("r1-masters-").FullName, "m.safetensors");
        try
        {
            using var small = TinyPolicy(ModelDtype.Bfloat16);
            using var masters = MasterWeights.For(small.named_parameters());
            masters.Save(path);
            using var wider = new PolicyModel(small.Config with { IntermediateSize = 96 }, seed: 3);
            using var other = MasterWeights.For(wider.named_parameters());
            var e = Assert.Throws<Model.Checkpoints.CheckpointException>(() => other.Load(path));
            Assert.Contains("mlp", e.Message);
            Assert.Contains("shape", e.Message);
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    [Fact]
    public void The_inline_trainer_runs_a_step_of_a_bfloat16_policy_that_stays_bfloat16()
    {
        using var policy = TinyPolicy(ModelDtype.Bfloat16);
        var sampling = SamplingOptions.Defaults with { MaxNewTokens = 8, Temperature = 1.0 };
        using var trainer = new InlineGrpoTrainer(policy, Tokenizer, new ArithmeticTask(), Settings with { Steps = 1, FormatWeight = 1.0 }, sampling, seed: 5);
        var step = trainer.Run().Single();
        Assert.True(double.IsFinite(step.Metrics.Loss));
        Assert.All(policy.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        // Every sampled token has a finite log-probability from the bfloat16 sampler (pi_old for the learner).
        var rollouts = step.Groups.SelectMany(g => g.Rollouts).ToList();
        Assert.Equal(Settings.PromptsPerStep * Settings.GroupSize, rollouts.Count);
        Assert.All(rollouts, r => Assert.All(r.OldLogProbs, lp => Assert.True(float.IsFinite(lp) && lp <= 0, $"log-prob {lp}")));
    }
}
