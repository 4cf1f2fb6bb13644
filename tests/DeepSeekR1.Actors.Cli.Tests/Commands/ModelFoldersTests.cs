using System.CommandLine;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary><c>r1 model import</c> and <c>r1 model export</c> on a tiny model in the layout a Hugging Face download has.</summary>
public sealed class ModelFoldersTests : IDisposable
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();
    private readonly string folder = Directory.CreateTempSubdirectory("r1-model-folders-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static PolicyModel Tiny() => new(ModelConfig.Defaults with
    {
        VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
        MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
    }, seed: 3);

    // A "download": weights in bf16, config.json, the tokenizer files, and no manifest of ours.
    private string Download()
    {
        string tokenizer = Path.Combine(folder, "tokenizer");
        Tokenizer.Save(tokenizer);
        using var model = Tiny();
        string saved = PolicyCheckpoint.Save(model, Path.Combine(folder, "download"),
            new CheckpointSaveOptions { DType = SafetensorsDType.BF16, ExtraFiles = Directory.GetFiles(tokenizer) });
        File.Delete(Path.Combine(saved, CheckpointManifest.FileName));
        return saved;
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = new RootCommand { ModelCommand.Create() }.Parse(args)
            .Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Import_checks_a_download_and_writes_a_verified_checkpoint_with_the_same_weights()
    {
        string download = Download();
        string imported = Path.Combine(folder, "imported");
        var (code, output, error) = Run("model", "import", "--from", download, "--out", imported);
        Assert.True(code == 0, error);
        var found = JsonNode.Parse(output)!.AsObject();
        Assert.Equal((false, 2, 32, "bf16", Tokenizer.VocabSize), ((bool)found["verified_before"]!, (int)found["layers"]!, (int)found["hidden_size"]!,
            (string)found["stored_dtype"]!, (int)found["tokenizer_vocab"]!));
        Assert.Contains("tokenizer.json", found["files"]!.AsArray().Select(f => (string)f!));

        CheckpointManifest.Verify(imported);
        using var a = PolicyCheckpoint.Load(download, verify: false);
        using var b = PolicyCheckpoint.Load(imported);
        foreach (var (name, tensor) in a.state_dict()) Assert.True(tensor.allclose(b.state_dict()[name], rtol: 0, atol: 0), name);
        Assert.True(File.Exists(Path.Combine(imported, "tokenizer.json")));

        // A second import into the same folder is refused rather than mixed in (the command line prints it as one line, exit 2).
        var again = Assert.Throws<DeepSeekR1.Actors.Configuration.ConfigException>(() => Run("model", "import", "--from", download, "--out", imported));
        Assert.Contains("exists and is not empty", again.Message);
    }

    [Fact]
    public void Import_refuses_a_folder_whose_weights_do_not_fit_its_config()
    {
        string download = Download();
        string config = Path.Combine(download, HfConfigJson.FileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
        var error = Assert.Throws<CheckpointException>(() => ModelFolders.Import(download, Path.Combine(folder, "never")));
        Assert.Contains("model.layers.2", error.Message);
        Assert.False(Directory.Exists(Path.Combine(folder, "never")));
    }

    [Fact]
    public void Export_writes_what_transformers_loads_and_leaves_the_manifest_and_optimizer_state_behind()
    {
        using var model = Tiny();
        string checkpoint = PolicyCheckpoint.Save(model, Path.Combine(folder, "ckpt"));
        File.WriteAllText(Path.Combine(checkpoint, "optimizer.bin"), "state");   // as a run's checkpoint has
        string exported = Path.Combine(folder, "hf");
        var result = ModelFolders.Export(checkpoint, exported);
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(exported).Select(Path.GetFileName).Order());
        Assert.Contains("manifest.json", result["left_out"]!.AsArray().Select(f => (string)f!));
        Assert.Contains("optimizer.bin", result["left_out"]!.AsArray().Select(f => (string)f!));
        // The export is a download again: it imports, and its weights are the checkpoint's.
        ModelFolders.Import(exported, Path.Combine(folder, "back"));
        using var back = PolicyCheckpoint.Load(Path.Combine(folder, "back"));
        foreach (var (name, tensor) in model.state_dict()) Assert.True(tensor.allclose(back.state_dict()[name], rtol: 0, atol: 0), name);
    }

    [Theory]
    [InlineData(false, null)]     // one model.safetensors becomes shard 1 of 2
    [InlineData(true, 40_000L)]   // tied embeddings, already in shards: one more shard after them
    public void Export_of_a_model_with_multi_token_prediction_adds_deepseeks_per_layer_copies_of_embedding_and_head(bool tied, long? maxShardBytes)
    {
        using var model = new PolicyModel(Tiny().Config with { MtpLayers = 1, TieWordEmbeddings = tied }, seed: 4);
        string checkpoint = PolicyCheckpoint.Save(model, Path.Combine(folder, "ckpt"), new CheckpointSaveOptions { MaxShardBytes = maxShardBytes });
        int shardsBefore = ShardedSafetensors.WeightMap(checkpoint).Values.Distinct().Count();
        Assert.Equal(maxShardBytes is null, shardsBefore == 1);
        string exported = Path.Combine(folder, "hf");
        var result = ModelFolders.Export(checkpoint, exported);
        Assert.Equal(2, (int)result["mtp_copies_added"]!);

        int shards = shardsBefore + 1;
        var map = ShardedSafetensors.WeightMap(exported);
        Assert.False(File.Exists(Path.Combine(exported, ShardedSafetensors.SingleFileName)));
        Assert.Equal(Enumerable.Range(1, shards).Select(i => $"model-{i:D5}-of-{shards:D5}.safetensors"), map.Values.Distinct().Order());
        string last = $"model-{shards:D5}-of-{shards:D5}.safetensors";
        Assert.Equal(last, map["model.layers.2.embed_tokens.weight"]);
        Assert.Equal(last, map["model.layers.2.shared_head.head.weight"]);
        Assert.Equal(ShardedSafetensors.WeightMap(checkpoint).Count + 2, map.Count);

        // The copies are the model's own tensors, bit for bit, and the folder loads back into the same model.
        using var scope = NewDisposeScope();
        var copies = SafetensorsReader.Read(Path.Combine(exported, last));
        string head = tied ? "model.embed_tokens.weight" : "lm_head.weight";
        Assert.True(Same(copies["model.layers.2.embed_tokens.weight"], model.state_dict()["model.embed_tokens.weight"]));
        Assert.True(Same(copies["model.layers.2.shared_head.head.weight"], model.state_dict()[head]));
        using var back = PolicyCheckpoint.Load(exported, verify: false);
        foreach (var (name, tensor) in model.state_dict()) Assert.True(Same(tensor, back.state_dict()[name]), name);
        // Exporting again (the copies already there) adds nothing.
        Assert.Empty(MtpSharedCopies.AddTo(exported));
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
