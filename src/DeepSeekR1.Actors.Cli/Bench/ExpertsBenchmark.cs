using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Training;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench experts</c>: the cost of expert parallelism's seam. Three learners start from the same random MoE policy,
/// one with its routed experts in their layers, one with them on <c>r1.experts.shards</c> in-process expert shards, one
/// with them on the shard actors of a second node (a child <c>r1 node --roles experts</c> process on loopback), and
/// apply the same GRPO steps (the run's shape: r1.grpo prompts x group size, completions of r1.sampling's length, made
/// up so that every advantage is non-zero). Steps alternate between the three, so all see the same machine, and the
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
        using var remotePolicy = PolicyFactory.CreateRandom(config, runtime);
        GrpoLearner.CopyWeights(localPolicy, remotePolicy);

        var (grpo, sampling) = (run.Grpo, run.Sampling);
        var inProcess = run.Experts with { Location = ExpertLocation.InProcess };
        using var local = new GrpoLearner(localPolicy, grpo, sampling.Temperature, sampling.MaxNewTokens);
        using var sharded = new GrpoLearner(shardedPolicy, grpo, sampling.Temperature, sampling.MaxNewTokens, inProcess);
        var shards = (ExpertShardSet)sharded.Shards!;

        // The second node: a child `r1 node --roles experts` on loopback holding every shard, reached through remoting
        // with the real serializer; the learner's policy is saved for it to read the shape from.
        using var scratch = new ScratchFolder();
        string init = Path.Combine(scratch.Path, "init");
        PolicyCheckpoint.Save(localPolicy, init);
        const string runId = "bench-experts";
        using var node = new ExpertNodeProcess(runId, init, Path.Combine(scratch.Path, "node"), run.Experts.Shards, get_num_threads(), grpo.WeightDecay);
        node.WaitUntilUp(TimeSpan.FromMinutes(2));
        using var system = ActorSystem.Create("r1", EngineConfig.ForDataDirectory(Path.Combine(scratch.Path, "learner"),
            ConfigurationFactory.ParseString("akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING")));
        var nodes = run.Experts with { Location = ExpertLocation.Nodes };
        var connect = RemoteExpertShards.Connector(system, runId, new FixedExpertDirectory([new Address("akka.tcp", "r1", "127.0.0.1", node.Port)]), nodes);
        using var twoNode = new GrpoLearner(remotePolicy, grpo, sampling.Temperature, sampling.MaxNewTokens, nodes, connect);

        double Timed(GrpoLearner learner, long step)
        {
            var clock = Stopwatch.StartNew();
            learner.Step(step, Groups(step, grpo, sampling.MaxNewTokens, localPolicy.Config));
            return clock.Elapsed.TotalSeconds;
        }

        // Warm-up, then alternate, so that all three see the same machine.
        foreach (var learner in new[] { local, sharded, twoNode }) Timed(learner, 0);
        double localBest = double.MaxValue, shardedBest = double.MaxValue, twoNodeBest = double.MaxValue;
        for (int r = 1; r <= bench.Repeats; r++)
        {
            localBest = Math.Min(localBest, Timed(local, r));
            shardedBest = Math.Min(shardedBest, Timed(sharded, r));
            twoNodeBest = Math.Min(twoNodeBest, Timed(twoNode, r));
        }

        var (gradDifference, bytesPerToken) = CompareOneBatch(localPolicy, shardedPolicy, shards, grpo, sampling.MaxNewTokens);
        double weightDifference = MaxDifference(local.Weights(), sharded.Weights());
        double twoNodeWeightDifference = MaxDifference(local.Weights(), twoNode.Weights());
        var result = new Dictionary<string, object?>
        {
            ["benchmark"] = "experts",
            ["shards"] = shards.Placement.Shards,
            ["moe_layers"] = shards.Placement.MoeLayers.Count,
            ["routed_experts"] = shards.Placement.RoutedExperts,
            ["experts_per_token"] = localPolicy.Config.ExpertsPerToken,
            ["rows_per_step"] = grpo.PromptsPerStep * grpo.GroupSize,
            ["local_step_seconds"] = Math.Round(localBest, 4),
            ["in_process_step_seconds"] = Math.Round(shardedBest, 4),
            ["two_node_step_seconds"] = Math.Round(twoNodeBest, 4),
            ["ratio_in_process"] = Math.Round(shardedBest / localBest, 3),
            ["ratio_two_nodes"] = Math.Round(twoNodeBest / localBest, 3),
            ["bytes_per_token"] = Math.Round(bytesPerToken, 1),
            ["max_grad_difference"] = gradDifference,
            ["max_weight_difference_after_steps"] = weightDifference,
            ["max_weight_difference_two_nodes"] = twoNodeWeightDifference,
            ["passes_redone_two_nodes"] = twoNode.PassesRedone,
            ["threads"] = get_num_threads(),
            ["device"] = localPolicy.Device.ToString(),
        };
        system.Terminate().Wait(TimeSpan.FromSeconds(10));
        return result;
    }

    // A temporary folder for the second node's journal and snapshots, deleted afterwards.
    private sealed class ScratchFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("r1-bench-experts-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }   // a file the killed node still held; the OS temp cleaner takes it
        }
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
        shards.BeginPass();   // clears the shards' gradients too
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
