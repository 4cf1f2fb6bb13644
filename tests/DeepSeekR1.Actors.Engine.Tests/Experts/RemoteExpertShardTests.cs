using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Optim;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests.Experts;

/// <summary>
/// A learner whose experts live on shard actors of another ActorSystem (loopback TCP, the real serializer and binary
/// tensor payloads, a real SQLite journal on the shard side) trains exactly as one with the experts in its layers.
/// </summary>
public class RemoteExpertShardTests
{
    private const string RunId = "remote-experts";

    // Two mini-batches per step, so every step makes two numbered updates on each shard; a tight clip so that the
    // global norm (learner + shards) decides the update.
    internal static readonly GrpoSettings Settings = GrpoSettings.Defaults with
    {
        Steps = 3, PromptsPerStep = 2, GroupSize = 3, LearningRate = 3e-3, MiniBatches = 2, GradClip = 0.05, FormatWeight = 1.0,
    };

    private static readonly ExpertSettings Experts = ExpertSettings.Defaults with
    {
        Shards = 2, Location = ExpertLocation.Nodes, CallTimeout = TimeSpan.FromSeconds(20), RecoverTimeout = TimeSpan.FromSeconds(20),
    };

    internal static RolloutGroup[] Groups(long step)
    {
        var random = new Random((int)step + 3);
        var tokenizer = TinyRuns.Tokenizer;
        return Enumerable.Range(0, Settings.PromptsPerStep).Select(g =>
        {
            int[] prompt = Enumerable.Range(0, 6).Select(_ => random.Next(3, tokenizer.VocabSize)).ToArray();
            var rollouts = Enumerable.Range(0, Settings.GroupSize).Select(s =>
            {
                int[] ids = [.. Enumerable.Range(0, 5 + s).Select(_ => random.Next(3, tokenizer.VocabSize)), tokenizer.EosId];
                float[] old = ids.Select(_ => (float)(-6.5 + random.NextDouble())).ToArray();
                return new Rollout(s, ids, old, FinishReason.Stop, "", s % 2, s % 2 == 1, true, null, step);
            }).ToArray();
            return new RolloutGroup(step, g, new TaskItem($"q{g}", "", ""), prompt, rollouts);
        }).ToArray();
    }

    internal sealed record Outcome(IReadOnlyList<LearnerUpdate> Steps, Dictionary<string, float[]> Weights, Dictionary<string, (float[] Avg, float[] Sq)> Moments);

    internal static Outcome Train(GrpoLearner learner, PolicyModel policy, string optimizerDir, int steps = 3, int firstStep = 0)
    {
        var updates = Enumerable.Range(firstStep, steps - firstStep).Select(step => learner.Step(step, Groups(step))).ToList();
        var weights = learner.Weights().ToDictionary(kv => kv.Key, kv => kv.Value.detach().flatten().data<float>().ToArray());
        // The moments as a checkpoint stores them: the learner's file and, with shards, one file per shard.
        Directory.CreateDirectory(optimizerDir);
        var files = learner.SaveOptimizerState(Path.Combine(optimizerDir, "optimizer.bin"));
        var moments = new Dictionary<string, (float[], float[])>();
        Collect(moments, policy.named_parameters().Select(p => (p.name, p.parameter)), learner.Optimizer);
        if (learner.Shards is { } shards)
            for (int s = 0; s < shards.Placement.Shards; s++)
            {
                using var reader = new ExpertShard(policy.Config, shards.Placement, s);
                reader.AttachOptimizer(ps => OptimizerFactory.CreateAdamW(ps, GrpoLearner.AdamWOf(Settings)));
                reader.Optimizer.load_state_dict(files[1 + s]);
                Collect(moments, reader.NamedParameters(), reader.Optimizer);
            }
        return new Outcome(updates, weights, moments);
    }

    private static void Collect(Dictionary<string, (float[], float[])> moments, IEnumerable<(string Name, Parameter P)> named, OptimizerHelper optimizer)
    {
        foreach (var ((name, _), state) in named.Zip(optimizer.state_dict().State))
        {
            var adam = (AdamW.State)state;
            moments[name] = (adam.exp_avg.flatten().data<float>().ToArray(), adam.exp_avg_sq.flatten().data<float>().ToArray());
        }
    }

    internal static Outcome Local(string dir, int steps = 3)
    {
        using var policy = TinyRuns.MoePolicy();
        using var learner = new GrpoLearner(policy, Settings, 1.0, 12);
        return Train(learner, policy, Path.Combine(dir, "local-optimizer"), steps);
    }

    internal static void AssertSame(Outcome expected, Outcome actual)
    {
        for (int s = 0; s < expected.Steps.Count; s++)
        {
            Assert.Equal(expected.Steps[s].Metrics.Loss, actual.Steps[s].Metrics.Loss, 1e-5);
            Assert.Equal(expected.Steps[s].Metrics.GradNorm, actual.Steps[s].Metrics.GradNorm, 1e-4);
        }
        Assert.Equal(expected.Weights.Keys.Order(), actual.Weights.Keys.Order());
        Assert.Contains(expected.Weights.Keys, ExpertShardSet.IsRoutedExpert);
        foreach (var (name, w) in expected.Weights) Close(w, actual.Weights[name], 1e-5, name);
        Assert.Equal(expected.Moments.Keys.Order(), actual.Moments.Keys.Order());
        foreach (var (name, (avg, sq)) in expected.Moments)
        {
            Close(avg, actual.Moments[name].Avg, 1e-6, $"{name} exp_avg");
            Close(sq, actual.Moments[name].Sq, 1e-7, $"{name} exp_avg_sq");
        }
    }

    private static void Close(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Length == 0 ? 0 : expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= tolerance, $"{what} differs by {worst}");
    }

    [Theory]
    [InlineData(0)]    // forward and backward calls over the node's data plane
    [InlineData(-1)]   // everything through Akka's remoting
    public async Task Shards_on_another_actor_system_give_the_local_losses_gradients_weights_and_optimizer_moments(int dataPort)
    {
        var experts = Experts with { DataPort = dataPort };
        using var dir = new TempDir();
        var local = Local(dir.Path);
        Assert.True(local.Steps.Any(s => s.Metrics.GradNorm > Settings.GradClip), "clipping never acted, so the test does not check the global norm");

        using var policy = TinyRuns.MoePolicy();
        using var node = ExpertNodes.Node(Path.Combine(dir.Path, "node"), RunId, policy.Config, experts, Settings, [0, 1]);
        using var learnerSystem = ExpertNodes.Learner(dir.Path);
        var directory = new FixedExpertDirectory([ExpertNodes.AddressOf(node)]);
        Outcome remote;
        using (var learner = new GrpoLearner(policy, Settings, 1.0, 12, experts, RemoteExpertShards.Connector(learnerSystem, RunId, directory, experts)))
        {
            var shards = Assert.IsType<RemoteExpertShards>(learner.Shards);
            Assert.All(shards.Nodes, n => Assert.Equal(ExpertNodes.AddressOf(node).ToString(), n));
            Assert.All(shards.DataEndpoints, e => Assert.Equal(dataPort >= 0, e.Length > 0));
            Assert.DoesNotContain(policy.state_dict().Keys, ExpertShardSet.IsRoutedExpert);   // the experts left the learner
            remote = Train(learner, policy, Path.Combine(dir.Path, "remote-optimizer"));
            Assert.Equal(0, learner.PassesRedone);
            Assert.True(shards.Executor.BytesMoved > 0);
        }
        // After the first update exp_avg is (1 - beta1) x the clipped gradient, so equal moments mean equal gradients.
        AssertSame(local, remote);

        // The last update again (a retry after a lost reply): answered, applied never twice.
        var shard0 = learnerSystem.ActorSelection(new RootActorPath(ExpertNodes.AddressOf(node)) / "user" / ExpertShardActor.Name(0));
        long last = 3L * Settings.MiniBatches;
        var again = await shard0.Ask<object>(new ApplyExpertUpdate(RunId, 0, last, 1.0, 1.0), TimeSpan.FromSeconds(20));
        Assert.Equal(new ExpertUpdateDone(RunId, 0, last, AppliedNow: false), again);
        var status = Assert.IsType<ExpertShardStatus>(await shard0.Ask<object>(new ExpertShardHello(RunId, 0), TimeSpan.FromSeconds(20)));
        Assert.Equal(last, status.LastUpdate);
        var wrong = Assert.IsType<ExpertShardFailed>(await shard0.Ask<object>(new ExpertShardHello(RunId, 1), TimeSpan.FromSeconds(20)));
        Assert.Contains("not shard 1", wrong.Reason);
        await Task.WhenAll(node.Terminate(), learnerSystem.Terminate());
    }
}

/// <summary>A learner restarted from its checkpoint (weights and optimizer state sent back to the remote shards) trains on exactly as if it had never stopped.</summary>
public class RemoteExpertShardRestoreTests
{
    private const string RunId = "remote-restore";

    [Fact]
    public async Task A_learner_restored_onto_remote_shards_continues_exactly_like_an_uninterrupted_one()
    {
        using var dir = new TempDir();
        var settings = RemoteExpertShardTests.Settings;
        var experts = ExpertSettings.Defaults with { Shards = 2, Location = ExpertLocation.Nodes, CallTimeout = TimeSpan.FromSeconds(20) };
        // Uninterrupted: four steps with the experts in the layers.
        RemoteExpertShardTests.Outcome local;
        using (var policy = TinyRuns.MoePolicy())
        using (var learner = new GrpoLearner(policy, settings, 1.0, 12))
            local = RemoteExpertShardTests.Train(learner, policy, Path.Combine(dir.Path, "local"), steps: 4);

        using var probe = TinyRuns.MoePolicy();
        using var node = ExpertNodes.Node(Path.Combine(dir.Path, "node"), RunId, probe.Config, experts, settings, [0, 1]);
        using var system = ExpertNodes.Learner(dir.Path);
        var connect = RemoteExpertShards.Connector(system, RunId, new FixedExpertDirectory([ExpertNodes.AddressOf(node)]), experts);
        string saved = Path.Combine(dir.Path, "after-3");
        Directory.CreateDirectory(saved);
        Dictionary<string, TorchSharp.torch.Tensor> weights;
        using (var policy = TinyRuns.MoePolicy())
        using (var learner = new GrpoLearner(policy, settings, 1.0, 12, experts, connect))
        {
            for (int step = 0; step < 3; step++) learner.Step(step, RemoteExpertShardTests.Groups(step));
            weights = learner.Weights().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            learner.SaveOptimizerState(Path.Combine(saved, "optimizer.bin"));
        }
        // A new learner (a restart): the initial policy again, then the checkpoint's weights and optimizer state.
        using var again = TinyRuns.MoePolicy();
        using var restored = new GrpoLearner(again, settings, 1.0, 12, experts, connect);
        restored.LoadWeights(weights, "the test's checkpoint");
        restored.LoadOptimizerState(Path.Combine(saved, "optimizer.bin"));
        restored.ResumeAt(3);
        var outcome = RemoteExpertShardTests.Train(restored, again, Path.Combine(dir.Path, "restored"), steps: 4, firstStep: 3);
        Assert.Equal(local.Steps[3].Metrics.Loss, outcome.Steps[0].Metrics.Loss, 1e-5);
        RemoteExpertShardTests.AssertSame(local with { Steps = [local.Steps[3]] }, outcome);
        foreach (var w in weights.Values) w.Dispose();
        await Task.WhenAll(node.Terminate(), system.Terminate());
    }
}
