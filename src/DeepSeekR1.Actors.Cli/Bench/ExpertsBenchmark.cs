using System.Diagnostics;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Training;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench experts</c>: the cost of expert parallelism's seam. Two learners start from the same random MoE policy,
/// one with its routed experts in their layers, one with them on <c>r1.experts.shards</c> in-process expert shards, and
/// apply the same GRPO steps (the run's shape: r1.grpo prompts x group size, completions of r1.sampling's length, made
/// up so that every advantage is non-zero). Steps alternate between the two, so both see the same machine, and the
/// best of <c>r1.bench.repeats</c> is kept for each. Also reported: the tensor bytes per token a wire to the shards
/// would carry, and the largest difference between the two learners' gradients on one batch (they must agree).
/// </summary>
public static class ExpertsBenchmark
{
    /// <summary>Runs the benchmark and returns its JSON fields.</summary>
    public static Dictionary<string, object?> Run(R1Config config, PolicyRuntime runtime, BenchSettings bench)
    {
        var run = RunSettings.From(config);
        if (run.Experts.Shards < 1) throw new ConfigException("r1.experts.shards: r1 bench experts compares the local layers with expert shards, so it needs at least 1");
        using var localPolicy = PolicyFactory.CreateRandom(config, runtime);
        if (localPolicy.Config.MoeLayers.Count == 0)
            throw new ConfigException("r1.model.moe-layers: r1 bench experts needs a MoE policy (give --config hocon/model-tiny-moe.conf or another MoE shape)");
        using var shardedPolicy = PolicyFactory.CreateRandom(config, runtime);
        GrpoLearner.CopyWeights(localPolicy, shardedPolicy);

        var (grpo, sampling) = (run.Grpo, run.Sampling);
        using var local = new GrpoLearner(localPolicy, grpo, sampling.Temperature, sampling.MaxNewTokens);
        using var sharded = new GrpoLearner(shardedPolicy, grpo, sampling.Temperature, sampling.MaxNewTokens, run.Experts);
        var shards = (ExpertShardSet)sharded.Shards!;

        double Timed(GrpoLearner learner, long step)
        {
            var clock = Stopwatch.StartNew();
            learner.Step(step, Groups(step, grpo, sampling.MaxNewTokens, localPolicy.Config));
            return clock.Elapsed.TotalSeconds;
        }

        // Warm-up, then alternate.
        Timed(local, 0);
        Timed(sharded, 0);
        double localBest = double.MaxValue, shardedBest = double.MaxValue;
        for (int r = 1; r <= bench.Repeats; r++)
        {
            localBest = Math.Min(localBest, Timed(local, r));
            shardedBest = Math.Min(shardedBest, Timed(sharded, r));
        }

        var (gradDifference, bytesPerToken) = CompareOneBatch(localPolicy, shardedPolicy, shards, grpo, sampling.MaxNewTokens);
        double weightDifference = MaxDifference(local.Weights(), sharded.Weights());
        return new Dictionary<string, object?>
        {
            ["benchmark"] = "experts",
            ["shards"] = shards.Placement.Shards,
            ["moe_layers"] = shards.Placement.MoeLayers.Count,
            ["routed_experts"] = shards.Placement.RoutedExperts,
            ["experts_per_token"] = localPolicy.Config.ExpertsPerToken,
            ["rows_per_step"] = grpo.PromptsPerStep * grpo.GroupSize,
            ["local_step_seconds"] = Math.Round(localBest, 4),
            ["in_process_step_seconds"] = Math.Round(shardedBest, 4),
            ["ratio_in_process"] = Math.Round(shardedBest / localBest, 3),
            // Shards on another node need the remote expert-shard actors, which are not built yet (issue 19).
            ["two_node_step_seconds"] = null,
            ["ratio_two_nodes"] = null,
            ["bytes_per_token"] = Math.Round(bytesPerToken, 1),
            ["max_grad_difference"] = gradDifference,
            ["max_weight_difference_after_steps"] = weightDifference,
            ["threads"] = get_num_threads(),
            ["device"] = localPolicy.Device.ToString(),
        };
    }

    // One step's groups: random prompts and completions of the run's lengths, rewards alternating 0/1 within a group.
    private static RolloutGroup[] Groups(long step, GrpoSettings grpo, int completionTokens, ModelConfig model)
    {
        var random = new Random(unchecked((int)step * 7919 + 17));
        return Enumerable.Range(0, grpo.PromptsPerStep).Select(g =>
        {
            int[] prompt = Enumerable.Range(0, 32).Select(_ => random.Next(3, model.VocabSize)).ToArray();
            var rollouts = Enumerable.Range(0, grpo.GroupSize).Select(s =>
            {
                int[] ids = [.. Enumerable.Range(0, completionTokens - 1).Select(_ => random.Next(3, model.VocabSize)), model.EosTokenId];
                float[] old = ids.Select(_ => (float)(-Math.Log(model.VocabSize) + 0.1 * random.NextDouble())).ToArray();
                return new Rollout(s, ids, old, Model.Sampling.FinishReason.Stop, "", s % 2, s % 2 == 1, true, null, step);
            }).ToArray();
            return new RolloutGroup(step, g, new TaskItem($"bench-{g}", "", ""), prompt, rollouts);
        }).ToArray();
    }

    // Forward and backward of one batch on both policies: the largest gradient difference, and the shard bytes per token.
    private static (double MaxGradDifference, double BytesPerToken) CompareOneBatch(
        PolicyModel localPolicy, PolicyModel shardedPolicy, ExpertShardSet shards, GrpoSettings grpo, int completionTokens)
    {
        using var scope = NewDisposeScope();
        var config = localPolicy.Config;
        int rows = Math.Max(1, grpo.PromptsPerStep * grpo.GroupSize / Math.Max(1, grpo.MiniBatches));
        var ids = randint(3, config.VocabSize, [rows, 32 + completionTokens], generator: new Generator(4321), device: localPolicy.Device);
        var valid = ones(ids.shape, ScalarType.Bool, ids.device);

        localPolicy.train();
        shardedPolicy.train();
        localPolicy.zero_grad();
        shardedPolicy.zero_grad();
        shards.BeginPass();
        shards.ZeroGrad();
        (-TokenLogProbs.Compute(localPolicy, ids, valid, valid).LogProbs.mean()).backward();
        long before = shards.Executor.BytesMoved;
        (-TokenLogProbs.Compute(shardedPolicy, ids, valid, valid).LogProbs.mean()).backward();
        shards.Executor.ThrowIfBackwardFailed();
        double bytesPerToken = (double)(shards.Executor.BytesMoved - before) / ids.numel();

        var shardedGrads = shardedPolicy.named_parameters().Select(p => (p.name, p.parameter))
            .Concat(shards.Shards.SelectMany(s => s.NamedParameters())).ToDictionary(p => p.Item1, p => p.Item2.grad);
        double worst = 0;
        foreach (var (name, p) in localPolicy.named_parameters())
        {
            if (p.grad is null) continue;
            var other = shardedGrads.GetValueOrDefault(name)
                ?? throw new InvalidOperationException($"the sharded learner has no gradient for {name}");
            worst = Math.Max(worst, (p.grad - other).abs().max().item<float>());
        }
        localPolicy.zero_grad();
        shardedPolicy.zero_grad();
        shards.ZeroGrad();
        return (worst, bytesPerToken);
    }

    private static double MaxDifference(IEnumerable<KeyValuePair<string, Tensor>> a, IEnumerable<KeyValuePair<string, Tensor>> b)
    {
        using var scope = NewDisposeScope();
        var other = b.ToDictionary();
        return a.Max(kv => (double)(kv.Value - other[kv.Key]).abs().max().item<float>());
    }
}
