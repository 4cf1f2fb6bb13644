using System.Text.Json;
using DeepSeekR1.Actors.Model.Checkpoints;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public class ShardedSafetensorsTests
{
    private static List<KeyValuePair<string, Tensor>> Layers(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new KeyValuePair<string, Tensor>($"model.layers.{i}.mlp.up_proj.weight", randn(16, 8)))
            .ToList();

    [Fact]
    public void Sharded_round_trip_splits_by_size_and_writes_a_consistent_index()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var tensors = Layers(5); // 512 bytes each as F32, 256 as BF16
        var files = ShardedSafetensors.Write(dir.Path, tensors, SafetensorsDType.BF16, maxShardBytes: 600);

        Assert.Equal(["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors", ShardedSafetensors.IndexFileName], files);
        Assert.False(File.Exists(dir.File(ShardedSafetensors.SingleFileName)));

        using var index = JsonDocument.Parse(File.ReadAllText(dir.File(ShardedSafetensors.IndexFileName)));
        Assert.Equal(5 * 256, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var map = index.RootElement.GetProperty("weight_map");
        Assert.Equal("model-00001-of-00003.safetensors", map.GetProperty("model.layers.1.mlp.up_proj.weight").GetString());
        Assert.Equal("model-00003-of-00003.safetensors", map.GetProperty("model.layers.4.mlp.up_proj.weight").GetString());

        var read = ShardedSafetensors.Read(dir.Path);
        Assert.Equal(5, read.Count);
        foreach (var (name, original) in tensors)
        {
            Assert.Equal(ScalarType.BFloat16, read[name].dtype);
            Assert.True((read[name].to(ScalarType.Float32) - original).abs().max().item<float>() <= original.abs().max().item<float>() / 256);
        }
    }

    [Fact]
    public void Everything_in_one_shard_is_written_as_a_single_file()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var files = ShardedSafetensors.Write(dir.Path, Layers(2), maxShardBytes: 1 << 20);
        Assert.Equal([ShardedSafetensors.SingleFileName], files);
        Assert.Equal(2, ShardedSafetensors.Read(dir.Path).Count);
    }

    [Fact]
    public void Appending_a_shard_renumbers_the_files_and_indexes_old_and_new_tensors()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var tensors = Layers(3);
        ShardedSafetensors.Write(dir.Path, tensors, maxShardBytes: 1100);   // two shards: layers 0-1, then 2
        var extra = new KeyValuePair<string, Tensor>("model.layers.3.mlp.up_proj.weight", ones(4, 2, ScalarType.BFloat16));
        var files = ShardedSafetensors.AppendShard(dir.Path, [extra]);

        Assert.Equal(["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
            ShardedSafetensors.IndexFileName], files);
        Assert.Equal(files.SkipLast(1).Append(ShardedSafetensors.IndexFileName).Order(), Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        using var index = JsonDocument.Parse(File.ReadAllText(dir.File(ShardedSafetensors.IndexFileName)));
        Assert.Equal(3 * 512 + 16, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var read = ShardedSafetensors.Read(dir.Path);
        foreach (var (name, original) in tensors) Assert.True(read[name].equal(original).all().item<bool>(), name);
        Assert.Equal(ScalarType.BFloat16, read[extra.Key].dtype);   // kept in its own dtype

        var again = Assert.Throws<ArgumentException>(() => ShardedSafetensors.AppendShard(dir.Path, [tensors[0]]));
        Assert.Contains("model.layers.0.mlp.up_proj.weight", again.Message);
    }

    [Fact]
    public void A_tensor_larger_than_the_limit_gets_a_shard_of_its_own()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var files = ShardedSafetensors.Write(dir.Path, Layers(3), maxShardBytes: 100);
        Assert.Equal(4, files.Count);
        Assert.Equal(3, ShardedSafetensors.Read(dir.Path).Count);
    }

    [Fact]
    public void A_missing_shard_is_named()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        ShardedSafetensors.Write(dir.Path, Layers(4), maxShardBytes: 600);
        var missing = dir.File("model-00002-of-00004.safetensors");
        File.Delete(missing);

        var error = Assert.Throws<CheckpointException>(() => ShardedSafetensors.Read(dir.Path));
        Assert.Equal(missing, error.Path);
        Assert.Contains("missing", error.Problem);
    }

    [Fact]
    public void An_index_entry_pointing_outside_the_directory_is_refused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(ShardedSafetensors.IndexFileName), """{"weight_map":{"a":"../elsewhere.safetensors"}}""");
        var error = Assert.Throws<CheckpointException>(() => ShardedSafetensors.Read(dir.Path));
        Assert.Contains("not a plain shard file name", error.Problem);
    }

    [Fact]
    public void A_directory_without_weights_says_so()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<CheckpointException>(() => ShardedSafetensors.Read(dir.Path));
        Assert.Equal(dir.Path, error.Path);
        Assert.Contains(ShardedSafetensors.SingleFileName, error.Problem);
    }
}
