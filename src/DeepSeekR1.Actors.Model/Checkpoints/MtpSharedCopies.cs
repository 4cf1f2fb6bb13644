using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// DeepSeek-V3's published files repeat the token embedding and the output head inside every multi-token prediction
/// layer (<c>model.layers.{i}.embed_tokens.weight</c>, <c>model.layers.{i}.shared_head.head.weight</c> for
/// i &gt;= num_hidden_layers), and servers that draft with those layers (vLLM, SGLang) read them there. This project's
/// modules share the model's own two tensors and its checkpoints store each once; an exported folder gets the copies.
/// </summary>
public static class MtpSharedCopies
{
    /// <summary>The per-layer copies a model of <paramref name="config"/> carries in DeepSeek's layout, each with the model tensor it copies.</summary>
    public static IReadOnlyList<(string Copy, string Original)> Names(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string head = config.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
        return [.. Enumerable.Range(config.NumLayers, config.MtpLayers).SelectMany(i => new[]
        {
            ($"model.layers.{i}.embed_tokens.weight", "model.embed_tokens.weight"),
            ($"model.layers.{i}.shared_head.head.weight", head),
        })];
    }

    /// <summary>
    /// Adds the copies the Hugging Face folder <paramref name="directory"/> (config.json and weights) lacks, as one more
    /// shard (<see cref="ShardedSafetensors.AppendShard"/>), in the dtype the originals are stored in. Returns the
    /// names added (none for a model without multi-token prediction layers, or one whose files already carry them).
    /// </summary>
    public static IReadOnlyList<string> AddTo(string directory)
    {
        var config = HfConfigJson.Read(Path.Combine(directory, HfConfigJson.FileName));
        var map = ShardedSafetensors.WeightMap(directory);
        var missing = Names(config).Where(n => !map.ContainsKey(n.Copy)).ToList();
        if (missing.Count == 0) return [];
        using var scope = NewDisposeScope();
        var originals = new Dictionary<string, Tensor>();
        foreach (var original in missing.Select(m => m.Original).Distinct())
        {
            if (!map.TryGetValue(original, out var file)) throw new CheckpointException(directory, $"tensor '{original}' is missing");
            originals[original] = SafetensorsReader.Read(Path.Combine(directory, file), n => n == original)[original];
        }
        ShardedSafetensors.AppendShard(directory, [.. missing.Select(m => KeyValuePair.Create(m.Copy, originals[m.Original]))]);
        return [.. missing.Select(m => m.Copy)];
    }
}
