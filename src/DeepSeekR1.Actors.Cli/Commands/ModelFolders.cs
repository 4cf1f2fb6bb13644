using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 model import</c> and <c>r1 model export</c>: between a Hugging Face model folder and this project's
/// checkpoints, which are the same layout plus a manifest (sizes and hashes) and, for a run's checkpoints, optimizer state.
/// </summary>
public static class ModelFolders
{
    // The tokenizer and generation files a model folder carries besides its weights and config.
    private static readonly string[] CompanionFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"];

    /// <summary>
    /// Checks the folder <paramref name="from"/> as every command would load it (config.json read strictly, every tensor
    /// present with its shape, the tokenizer loaded), then writes it to <paramref name="to"/> as a verified checkpoint in
    /// the dtype it was stored in. Returns what it found.
    /// </summary>
    public static JsonObject Import(string from, string to)
    {
        RequireEmpty(to, "--out");
        using var scope = NewDisposeScope();
        using var loaded = Checkpoint.Load(from, verify: false);
        using var model = new PolicyModel(loaded.Config);
        PolicyCheckpoint.CopyInto(model, loaded.Tensors, from);
        var stored = loaded.Tensors.Values.Where(t => t.is_floating_point()).Select(t => t.dtype).Distinct().ToArray();
        SafetensorsDType? dtype = stored is [var only] ? only switch
        {
            ScalarType.BFloat16 => SafetensorsDType.BF16,
            ScalarType.Float16 => SafetensorsDType.F16,
            ScalarType.Float64 => SafetensorsDType.F64,
            _ => SafetensorsDType.F32,
        } : SafetensorsDType.F32;

        var tokenizer = File.Exists(Path.Combine(from, "tokenizer.json")) ? HuggingFaceTokenizer.FromDirectory(from) : null;
        if (tokenizer is not null && tokenizer.VocabSize > loaded.Config.VocabSize)
            throw new CheckpointException(from, $"tokenizer.json has {tokenizer.VocabSize} tokens, more than the model's vocab_size {loaded.Config.VocabSize}");
        var extras = CompanionFiles.Select(f => Path.Combine(from, f)).Where(File.Exists).ToArray();
        string written = PolicyCheckpoint.Save(model, to, new CheckpointSaveOptions
        {
            DType = dtype, ExtraFiles = extras, Metadata = new Dictionary<string, string> { ["imported_from"] = Path.GetFullPath(from) },
        });
        var c = loaded.Config;
        return new JsonObject
        {
            ["imported_from"] = Path.GetFullPath(from),
            ["checkpoint"] = written,
            ["verified_before"] = loaded.Manifest is not null,
            ["layers"] = c.NumLayers, ["hidden_size"] = c.HiddenSize, ["heads"] = c.NumHeads, ["kv_heads"] = c.NumKvHeads,
            ["vocab_size"] = c.VocabSize, ["context"] = c.ContextLength, ["max_position_embeddings"] = c.MaxPositionEmbeddings, ["rope_theta"] = c.RopeTheta, ["rope_type"] = c.RopeType,
            ["attention"] = c.Attention.ToString().ToLowerInvariant(), ["kv_lora_rank"] = c.IsLatentAttention ? c.KvLoraRank : null,
            ["kv_cache_bytes_per_token"] = KvCache.BytesPerToken(c, ScalarType.Float32),
            ["tied_embeddings"] = c.TieWordEmbeddings, ["attention_bias"] = c.AttentionBias, ["moe_layers"] = c.MoeLayers.Count,
            ["parameters"] = model.parameters().Sum(p => p.numel()),
            ["stored_dtype"] = dtype.ToString()!.ToLowerInvariant(),
            ["tokenizer_vocab"] = tokenizer?.VocabSize, ["eos_token_id"] = tokenizer?.EosId ?? c.EosTokenId,
            ["files"] = new JsonArray([.. extras.Select(f => (JsonNode)Path.GetFileName(f))]),
        };
    }

    /// <summary>
    /// Verifies the checkpoint <paramref name="checkpoint"/> against its manifest and copies what <c>transformers</c>
    /// loads (config.json, the safetensors files and their index, tokenizer and generation files) to
    /// <paramref name="to"/>; the manifest and optimizer state stay behind. A model with multi-token prediction layers gets
    /// DeepSeek's per-layer copies of the embedding and head (<see cref="MtpSharedCopies"/>). Returns the files written and left out.
    /// </summary>
    public static JsonObject Export(string checkpoint, string to)
    {
        RequireEmpty(to, "--out");
        CheckpointManifest.Verify(checkpoint);
        var files = Directory.GetFiles(checkpoint).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        bool Wanted(string name) => name == HfConfigJson.FileName || name == ShardedSafetensors.IndexFileName || CompanionFiles.Contains(name)
            || name.StartsWith("model", StringComparison.Ordinal) && name.EndsWith(".safetensors", StringComparison.Ordinal);
        Directory.CreateDirectory(to);
        foreach (string name in files.Where(Wanted)) File.Copy(Path.Combine(checkpoint, name), Path.Combine(to, name));
        // Multi-token prediction layers: DeepSeek's layout repeats the embedding and head in each (servers read them there).
        var mtpCopies = MtpSharedCopies.AddTo(to);
        var written = Directory.GetFiles(to).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
        return new JsonObject
        {
            ["checkpoint"] = Path.GetFullPath(checkpoint),
            ["out"] = Path.GetFullPath(to),
            ["written"] = new JsonArray([.. written.Select(f => (JsonNode)f)]),
            ["mtp_copies_added"] = mtpCopies.Count,
            ["left_out"] = new JsonArray([.. files.Where(f => !Wanted(f)).Select(f => (JsonNode)f)]),
        };
    }

    private static void RequireEmpty(string folder, string option)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new ConfigException($"{option} {folder}: the folder exists and is not empty; give a new one");
    }
}
