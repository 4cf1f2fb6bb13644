using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests;

public class LearnerCheckpointsTests
{
    [Fact]
    public void A_written_step_restores_bit_for_bit_and_its_hash_is_the_manifests()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Run(dir.Path, "ckpt");
        var checkpoints = new LearnerCheckpoints(run);
        checkpoints.EnsureInitial();
        Assert.True(File.Exists(Path.Combine(run.Layout.Checkpoint(0), CheckpointManifest.FileName)));

        var (policy, learner) = checkpoints.Restore(0, _ => run.Layout.Checkpoint(0));
        using (learner)
        using (policy)
        {
            using (no_grad())
                foreach (var p in policy.parameters()) p.add_(0.25f);
            var (directory, sha) = checkpoints.Write(1, learner);
            Assert.Equal(run.Layout.Checkpoint(1), directory);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, CheckpointManifest.FileName)))), sha);
            Assert.True(File.Exists(Path.Combine(directory, LearnerCheckpoints.OptimizerFile)));
            Assert.False(Directory.Exists(run.Layout.Staging));

            // Version 1 with the reference still at version 0 (refresh every 400): weights from 1, reference from 0.
            var (again, againLearner) = checkpoints.Restore(1, v => run.Layout.Checkpoint(v));
            using (againLearner)
            using (again)
            {
                Assert.Equal(1, againLearner.StepsApplied);
                var expected = policy.state_dict();
                foreach (var (name, tensor) in again.state_dict())
                    Assert.True(tensor.eq(expected[name]).all().item<bool>(), name);
            }
        }
    }

    [Fact]
    public void A_bfloat16_run_writes_bfloat16_checkpoints_and_restores_its_policy_in_bfloat16_over_float32_masters()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Run(dir.Path, "bf16") with
        {
            Dtype = ModelDtype.Bfloat16,
            InitialPolicy = () => PolicyCheckpoint.Load(ColdStart.Checkpoint, CPU, dtype: ModelDtype.Bfloat16),
        };
        var checkpoints = new LearnerCheckpoints(run);
        checkpoints.EnsureInitial();
        var header = SafetensorsReader.ReadHeader(Path.Combine(run.Layout.Checkpoint(0), "model.safetensors"));
        Assert.All(header.Tensors, t => Assert.Equal(SafetensorsDType.BF16, t.DType));

        var (policy, learner) = checkpoints.Restore(0, _ => run.Layout.Checkpoint(0));
        using (learner)
        using (policy)
        {
            Assert.All(policy.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
            Assert.All(learner.Optimizer.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            // New weights through the learner (as a step or a loaded checkpoint sets them: the masters follow), not behind
            // its back: the checkpoint now carries the float32 masters, and a restore takes the weights from those.
            using (no_grad())
                learner.LoadWeights(policy.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value + 0.25f), "the test");
            checkpoints.Write(1, learner);
            Assert.True(File.Exists(Path.Combine(run.Layout.Checkpoint(1), "optimizer.masters.safetensors")));
            var (again, againLearner) = checkpoints.Restore(1, v => run.Layout.Checkpoint(v));
            using (againLearner)
            using (again)
            {
                var expected = policy.state_dict();
                foreach (var (name, tensor) in again.state_dict())
                {
                    Assert.Equal(ScalarType.BFloat16, tensor.dtype);
                    Assert.True(tensor.eq(expected[name]).all().item<bool>(), name);
                }
                foreach (var (a, b) in learner.Optimizer.parameters().Zip(againLearner.Optimizer.parameters()))
                    Assert.True(a.eq(b).all().item<bool>(), "a float32 master differs after the restore");
            }
        }
    }

    [Fact]
    public void A_write_that_fails_leaves_no_partial_checkpoint()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Run(dir.Path, "full");
        var checkpoints = new LearnerCheckpoints(run);
        checkpoints.EnsureInitial();
        var (policy, learner) = checkpoints.Restore(0, _ => run.Layout.Checkpoint(0));
        using (learner)
        using (policy)
        {
            // A file where the staging folder goes: the optimizer state cannot be staged, as on a full or read-only disk.
            File.WriteAllText(run.Layout.Staging, "not a folder");
            Assert.ThrowsAny<IOException>(() => checkpoints.Write(1, learner));
            Assert.False(Directory.Exists(run.Layout.Checkpoint(1)));
        }
    }

    [Fact]
    public void A_sharded_learner_writes_a_whole_hugging_face_folder_with_each_shards_optimizer_part_and_restores_bit_for_bit()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Run(dir.Path, "moe") with { InitialPolicy = TinyRuns.MoePolicy, Experts = ExpertSettings.Defaults with { Shards = 2 } };
        var checkpoints = new LearnerCheckpoints(run);
        checkpoints.EnsureInitial();
        var (policy, learner) = checkpoints.Restore(0, _ => run.Layout.Checkpoint(0));
        using (learner)
        using (policy)
        {
            Assert.NotNull(learner.Shards);
            Assert.DoesNotContain(policy.state_dict().Keys, ExpertShardSet.IsRoutedExpert);
            using (no_grad())
                foreach (var (_, t) in learner.Weights()) t.add_(0.25f);
            var (directory, _) = checkpoints.Write(1, learner);
            var manifest = CheckpointManifest.Verify(directory);
            Assert.Contains(manifest.Files, f => f.Path == "optimizer.expert-shard-0.bin");
            Assert.Contains(manifest.Files, f => f.Path == "optimizer.expert-shard-1.bin");
            // The weights in three parts, the learner's and one per shard, each shard's file holding exactly its experts.
            Assert.Equal(["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json"],
                manifest.Files.Select(f => f.Path).Where(p => p.StartsWith("model", StringComparison.Ordinal)).Order());
            using (var part = ShardedSafetensorsPart(directory, 3))
            {
                Assert.All(part.Keys, k => Assert.Matches(@"\.mlp\.experts\.[13]\.", k));
                Assert.Equal(2 * 2 * 3, part.Count);   // experts 1 and 3 of layers 0 and 1, three matrices each
            }

            // An ordinary folder: the HF loader reads the whole model, routed experts in their layers.
            using var whole = PolicyCheckpoint.Load(directory, CPU);
            var expected = learner.Weights().ToDictionary();
            Assert.Equal(expected.Keys.Order(), whole.state_dict().Keys.Order());
            foreach (var (name, tensor) in whole.state_dict())
                Assert.True(tensor.eq(expected[name]).all().item<bool>(), name);

            var (again, againLearner) = checkpoints.Restore(1, v => run.Layout.Checkpoint(v));
            using (againLearner)
            using (again)
            {
                foreach (var (name, tensor) in againLearner.Weights())
                    Assert.True(tensor.eq(expected[name]).all().item<bool>(), name);
                // Step 1 made one update per mini-batch and epoch; the shards count on from there, so none repeats.
                Assert.All(((ExpertShardSet)againLearner.Shards!).Shards, s => Assert.Equal(run.Grpo.Epochs * run.Grpo.MiniBatches, s.LastUpdate));
            }

            // A shard's part gone: the restore names it rather than training on with fresh moments.
            File.Delete(Path.Combine(directory, "optimizer.expert-shard-1.bin"));
            var e = Assert.ThrowsAny<Exception>(() => checkpoints.Restore(1, v => run.Layout.Checkpoint(v)));
            Assert.Contains("optimizer.expert-shard-1.bin", e.Message);
        }
    }

    private sealed class TensorFile(Dictionary<string, Tensor> tensors) : IDisposable
    {
        public IReadOnlyCollection<string> Keys => tensors.Keys;
        public int Count => tensors.Count;
        public void Dispose() { foreach (var t in tensors.Values) t.Dispose(); }
    }

    private static TensorFile ShardedSafetensorsPart(string directory, int part) =>
        new(SafetensorsReader.Read(Path.Combine(directory, $"model-{part:D5}-of-00003.safetensors")));
}
