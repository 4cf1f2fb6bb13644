using DeepSeekR1.Actors.Model.Tests.Policy;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public class CheckpointTests
{
    private static readonly ModelConfig Tiny = TinyModels.Shipped with { VocabSize = 32, HiddenSize = 16, NumHeads = 2, NumKvHeads = 1, NumLayers = 2, IntermediateSize = 24, AttentionBias = true };

    /// <summary>The Hugging Face tensors of a tiny Qwen2-shaped model (tied embeddings, so no lm_head).</summary>
    private static Dictionary<string, Tensor> TinyWeights()
    {
        var kv = Tiny.NumKvHeads * Tiny.HeadDim;
        var weights = new Dictionary<string, Tensor>
        {
            ["model.embed_tokens.weight"] = randn(Tiny.VocabSize, Tiny.HiddenSize),
            ["model.norm.weight"] = ones(Tiny.HiddenSize),
        };
        for (var i = 0; i < Tiny.NumLayers; i++)
        {
            var p = $"model.layers.{i}.";
            weights[p + "input_layernorm.weight"] = ones(Tiny.HiddenSize);
            weights[p + "self_attn.q_proj.weight"] = randn(Tiny.HiddenSize, Tiny.HiddenSize);
            weights[p + "self_attn.q_proj.bias"] = randn(Tiny.HiddenSize);
            weights[p + "self_attn.k_proj.weight"] = randn(kv, Tiny.HiddenSize);
            weights[p + "self_attn.k_proj.bias"] = randn(kv);
            weights[p + "self_attn.v_proj.weight"] = randn(kv, Tiny.HiddenSize);
            weights[p + "self_attn.v_proj.bias"] = randn(kv);
            weights[p + "self_attn.o_proj.weight"] = randn(Tiny.HiddenSize, Tiny.HiddenSize);
            weights[p + "post_attention_layernorm.weight"] = ones(Tiny.HiddenSize);
            weights[p + "mlp.gate_proj.weight"] = randn(Tiny.IntermediateSize, Tiny.HiddenSize);
            weights[p + "mlp.up_proj.weight"] = randn(Tiny.IntermediateSize, Tiny.HiddenSize);
            weights[p + "mlp.down_proj.weight"] = randn(Tiny.HiddenSize, Tiny.IntermediateSize);
        }
        return weights;
    }

    [Fact]
    public void Save_then_load_returns_config_tensors_metadata_and_extra_files()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var weights = TinyWeights();
        File.WriteAllText(dir.File("tokenizer.json"), "{\"model\":{}}");
        var target = dir.File("ckpt");
        var saved = Checkpoint.Save(target, Tiny, weights, new CheckpointSaveOptions
        {
            MaxShardBytes = 4096,
            ExtraFiles = [dir.File("tokenizer.json")],
            Metadata = new Dictionary<string, string> { ["step"] = "3", ["policy_version"] = "2" },
        });
        Assert.Equal(target, saved);
        Assert.True(File.Exists(Path.Combine(target, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(target, ShardedSafetensors.IndexFileName)));
        Assert.Single(Directory.GetDirectories(dir.Path)); // no leftover partial directory

        using var loaded = Checkpoint.Load(target);
        Assert.Equal("3", loaded.Metadata["step"]);
        Assert.Equal(Tiny, loaded.Config with { MoeLayers = Tiny.MoeLayers });
        Assert.Equal(weights.Keys.Order(), loaded.Tensors.Keys.Order());
        foreach (var (name, original) in weights)
            Assert.True(original.bytes.SequenceEqual(loaded.Tensors[name].bytes), $"{name} differs");
        Assert.Contains(loaded.Manifest!.Files, f => f.Path == "tokenizer.json");
    }

    [Fact]
    public void Bf16_save_is_recorded_in_the_config_and_loads_as_bf16()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var target = Checkpoint.Save(dir.File("bf16"), Tiny, TinyWeights(), new CheckpointSaveOptions { DType = SafetensorsDType.BF16 });
        Assert.Contains("\"torch_dtype\": \"bfloat16\"", File.ReadAllText(Path.Combine(target, "config.json")));
        using var loaded = Checkpoint.Load(target);
        Assert.All(loaded.Tensors.Values, t => Assert.Equal(ScalarType.BFloat16, t.dtype));
    }

    [Fact]
    public void A_failure_midway_leaves_no_directory_behind()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var target = dir.File("ckpt");
        var options = new CheckpointSaveOptions { ExtraFiles = [dir.File("no-such-tokenizer.json")] };

        Assert.Throws<FileNotFoundException>(() => Checkpoint.Save(target, Tiny, TinyWeights(), options));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_failure_while_replacing_keeps_the_old_checkpoint()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var target = Checkpoint.Save(dir.File("ckpt"), Tiny, TinyWeights(), new CheckpointSaveOptions { Metadata = new Dictionary<string, string> { ["step"] = "1" } });
        var failing = new CheckpointSaveOptions { Overwrite = true, ExtraFiles = [dir.File("missing.json")] };

        Assert.Throws<FileNotFoundException>(() => Checkpoint.Save(target, Tiny, TinyWeights(), failing));
        using var loaded = Checkpoint.Load(target);
        Assert.Equal("1", loaded.Metadata["step"]);
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Saving_over_an_existing_checkpoint_needs_overwrite()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var target = Checkpoint.Save(dir.File("ckpt"), Tiny, TinyWeights());
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Save(target, Tiny, TinyWeights()));
        Assert.Equal(target, error.Path);

        var bigger = Tiny with { VocabSize = 40 };
        var weights = TinyWeights();
        weights["model.embed_tokens.weight"] = randn(40, Tiny.HiddenSize);
        Checkpoint.Save(target, bigger, weights, new CheckpointSaveOptions { Overwrite = true });
        using var loaded = Checkpoint.Load(target);
        Assert.Equal(40, loaded.Config.VocabSize);
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_directory_without_manifest_loads_only_without_verification()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var raw = dir.File("hf-download");
        Directory.CreateDirectory(raw);
        HfConfigJson.Write(Path.Combine(raw, "config.json"), Tiny);
        ShardedSafetensors.Write(raw, TinyWeights());

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(raw));
        Assert.Equal(raw, error.Path);
        Assert.Contains("manifest.json is missing", error.Problem);

        using var loaded = Checkpoint.Load(raw, verify: false);
        Assert.Null(loaded.Manifest);
        Assert.Empty(loaded.Metadata);
        Assert.Equal(TinyWeights().Count, loaded.Tensors.Count);
    }

    [Fact]
    public void A_damaged_shard_fails_the_load_and_is_named()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var target = Checkpoint.Save(dir.File("ckpt"), Tiny, TinyWeights());
        var weightsFile = Path.Combine(target, ShardedSafetensors.SingleFileName);
        var bytes = File.ReadAllBytes(weightsFile);
        bytes[^3] ^= 0x01;
        File.WriteAllBytes(weightsFile, bytes);

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(target));
        Assert.Equal(weightsFile, error.Path);
    }

    [Fact]
    public void Disposing_the_loaded_checkpoint_disposes_its_tensors()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var target = Checkpoint.Save(dir.File("ckpt"), Tiny, TinyWeights());
        var loaded = Checkpoint.Load(target);
        var kept = loaded.Tensors["model.norm.weight"];
        loaded.Tensors.Remove("model.norm.weight");
        var dropped = loaded.Tensors["model.embed_tokens.weight"];
        loaded.Dispose();
        Assert.True(dropped.IsInvalid);
        Assert.False(kept.IsInvalid);
    }
}
