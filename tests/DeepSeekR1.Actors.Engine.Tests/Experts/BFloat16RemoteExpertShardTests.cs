using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests.Experts;

/// <summary>
/// A bfloat16 MoE policy (issue 23) with its experts on shard actors of another ActorSystem: bfloat16 token rows and
/// gradients travel (data plane), each shard steps float32 masters of its bfloat16 experts and snapshots the masters, and
/// the run is the one with the shards in the learner's process.
/// </summary>
public class BFloat16RemoteExpertShardTests
{
    private const string RunId = "remote-bf16";

    private static PolicyModel Policy()
    {
        using var shape = TinyRuns.MoePolicy();
        return new PolicyModel(shape.Config with { Dtype = ModelDtype.Bfloat16 }, seed: 1);
    }

    private static Dictionary<string, float[]> Floats(IEnumerable<KeyValuePair<string, Tensor>> tensors) =>
        tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().to_type(ScalarType.Float32).flatten().data<float>().ToArray());

    [Fact]
    public async Task Remote_bfloat16_shards_train_like_in_process_ones_and_snapshot_their_float32_masters()
    {
        var settings = RemoteExpertShardTests.Settings;
        using var dir = new TempDir();
        // In process: two steps, the shards' weights and masters after them.
        Dictionary<string, float[]> localWeights, localMasters;
        var localLosses = new List<double>();
        using (var policy = Policy())
        using (var learner = new GrpoLearner(policy, settings, 1.0, 12, ExpertSettings.Defaults with { Shards = 2 }))
        {
            for (int step = 0; step < 2; step++) localLosses.Add(learner.Step(step, RemoteExpertShardTests.Groups(step)).Metrics.Loss);
            localWeights = Floats(learner.Weights());
            var set = Assert.IsType<ExpertShardSet>(learner.Shards);
            localMasters = Floats(set.Shards.SelectMany(s => s.NamedTrainable()).Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter)));
        }

        var experts = ExpertSettings.Defaults with
        {
            Shards = 2, Location = ExpertLocation.Nodes, DataPort = 0, CallTimeout = TimeSpan.FromSeconds(20), RecoverTimeout = TimeSpan.FromSeconds(20),
        };
        string nodeDir = Path.Combine(dir.Path, "node");
        using var probe = Policy();
        using var node = ExpertNodes.Node(nodeDir, RunId, probe.Config, experts, settings, [0, 1]);
        using var system = ExpertNodes.Learner(dir.Path);
        var connect = RemoteExpertShards.Connector(system, RunId, new FixedExpertDirectory([ExpertNodes.AddressOf(node)]), experts);
        using (var policy = Policy())
        using (var learner = new GrpoLearner(policy, settings, 1.0, 12, experts, connect))
        {
            for (int step = 0; step < 2; step++)
                Assert.Equal(localLosses[step], learner.Step(step, RemoteExpertShardTests.Groups(step)).Metrics.Loss, 1e-5);
            var remoteWeights = Floats(learner.Weights());   // the shards' bfloat16 experts, fetched
            Assert.Equal(localWeights.Keys.Order(), remoteWeights.Keys.Order());
            foreach (var (name, w) in localWeights)
                Assert.True(w.SequenceEqual(remoteWeights[name]), $"{name} differs between in-process and remote bfloat16 shards");
        }

        // Each shard's last snapshot holds its float32 masters, equal to the in-process shards' masters; its bfloat16
        // experts are their rounding, so a replacement restored from it resumes exactly.
        int masters = 0;
        for (int s = 0; s < 2; s++)
        {
            string file = Directory.GetFiles(ExpertShardHost.Folder(nodeDir, s), "weights-*.safetensors").Single();
            using var scope = NewDisposeScope();
            foreach (var (name, tensor) in SafetensorsReader.Read(file))
            {
                Assert.Equal(ScalarType.Float32, tensor.dtype);
                var expected = localMasters[name];
                Assert.True(tensor.flatten().data<float>().ToArray().SequenceEqual(expected), $"{name}: the snapshot's master differs from the in-process shard's");
                var rounded = tensor.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32).flatten().data<float>().ToArray();
                Assert.True(rounded.SequenceEqual(localWeights[name]), $"{name}: the expert is not its master rounded");
                masters++;
            }
        }
        Assert.Equal(localMasters.Count, masters);
        Assert.Contains(localMasters, kv => !kv.Value.SequenceEqual(localWeights[kv.Key]));   // bits below bfloat16 resolution
        await Task.WhenAll(node.Terminate(), system.Terminate());
    }
}
