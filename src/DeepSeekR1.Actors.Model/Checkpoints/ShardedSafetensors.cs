using System.Text.Json;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// A model's weights in a directory, in Hugging Face's layout: one <c>model.safetensors</c>, or shards
/// <c>model-00001-of-0000N.safetensors</c> plus <c>model.safetensors.index.json</c> mapping each tensor to its shard.
/// </summary>
public static class ShardedSafetensors
{
    /// <summary>File name of an unsharded model.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>File name of the shard index.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>
    /// Writes <paramref name="tensors"/> into <paramref name="directory"/>. Without <paramref name="maxShardBytes"/>,
    /// or when everything fits in one shard, the result is a single <see cref="SingleFileName"/> (as Hugging Face
    /// does); otherwise tensors are packed in order into shards of at most that many data bytes (a tensor larger
    /// than the limit gets a shard of its own) and an index is written.
    /// </summary>
    /// <returns>The names of the files written, relative to <paramref name="directory"/>.</returns>
    public static IReadOnlyList<string> Write(
        string directory,
        IEnumerable<KeyValuePair<string, Tensor>> tensors,
        SafetensorsDType? storeAs = null,
        long? maxShardBytes = null,
        IReadOnlyDictionary<string, string>? metadata = null,
        Func<string, int>? partOf = null)
    {
        if (maxShardBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(maxShardBytes), "must be positive");
        var list = tensors.ToList();
        // Given parts: one shard per part, in part order (a part with no tensor is an error, not an empty file).
        var shards = partOf is null ? Pack(list, storeAs, maxShardBytes ?? long.MaxValue) : ByPart(list, partOf);
        if (shards.Count <= 1)
        {
            SafetensorsWriter.Write(Path.Combine(directory, SingleFileName), list, storeAs, metadata);
            return [SingleFileName];
        }

        var written = new List<string>();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
        {
            var fileName = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsWriter.Write(Path.Combine(directory, fileName), shards[i], storeAs, metadata);
            foreach (var (name, _) in shards[i]) weightMap[name] = fileName;
            written.Add(fileName);
        }
        WriteIndex(Path.Combine(directory, IndexFileName), list.Sum(t => SafetensorsWriter.StoredBytes(t.Value, storeAs)), weightMap);
        written.Add(IndexFileName);
        return written;
    }

    /// <summary>
    /// Reads every tensor of the model in <paramref name="directory"/>, from <see cref="SingleFileName"/> when it
    /// exists, else through <see cref="IndexFileName"/>. The caller owns and disposes the tensors.
    /// </summary>
    /// <exception cref="CheckpointException">Neither file exists, the index is damaged, a shard is missing, or a
    /// shard lacks a tensor the index assigns to it.</exception>
    public static Dictionary<string, Tensor> Read(string directory)
    {
        var single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single)) return SafetensorsReader.Read(single);
        var indexPath = Path.Combine(directory, IndexFileName);
        if (!File.Exists(indexPath))
            throw new CheckpointException(directory, $"holds neither {SingleFileName} nor {IndexFileName}");

        var weightMap = ReadWeightMap(indexPath);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var shard in weightMap.GroupBy(entry => entry.Value, entry => entry.Key))
            {
                var shardPath = Path.Combine(directory, shard.Key);
                if (!File.Exists(shardPath))
                    throw new CheckpointException(shardPath, $"shard listed in {IndexFileName} is missing");
                var wanted = shard.ToHashSet();
                var loaded = SafetensorsReader.Read(shardPath, wanted.Contains);
                foreach (var (name, tensor) in loaded) result[name] = tensor;
                var absent = wanted.FirstOrDefault(name => !loaded.ContainsKey(name));
                if (absent is not null)
                    throw new CheckpointException(shardPath, $"lacks tensor '{absent}' that {IndexFileName} assigns to it");
            }
        }
        catch
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>
    /// The file each tensor of the model in <paramref name="directory"/> is stored in: every tensor of
    /// <see cref="SingleFileName"/> when it exists, else the index's weight map.
    /// </summary>
    /// <exception cref="CheckpointException">Neither file exists, or the index or the single file is damaged.</exception>
    public static IReadOnlyDictionary<string, string> WeightMap(string directory)
    {
        var single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single)) return SafetensorsReader.ReadHeader(single).Tensors.ToDictionary(t => t.Name, _ => SingleFileName);
        var indexPath = Path.Combine(directory, IndexFileName);
        if (!File.Exists(indexPath)) throw new CheckpointException(directory, $"holds neither {SingleFileName} nor {IndexFileName}");
        return ReadWeightMap(indexPath);
    }

    /// <summary>
    /// Adds <paramref name="tensors"/> to the model in <paramref name="directory"/> as one more shard: the existing
    /// file(s) are renamed to <c>model-0000k-of-0000{N+1}.safetensors</c> (a single file becomes shard 1), the new
    /// tensors are written as shard N+1 in their own dtypes, and the index is rewritten to cover all of them. Every
    /// reader that follows the index (transformers, vLLM, this project) then sees the old tensors and the new ones.
    /// </summary>
    /// <returns>The shard files and the index, relative to <paramref name="directory"/>, in order.</returns>
    /// <exception cref="ArgumentException">A new tensor's name is already in the model.</exception>
    public static IReadOnlyList<string> AppendShard(string directory, IReadOnlyList<KeyValuePair<string, Tensor>> tensors)
    {
        var map = WeightMap(directory);
        var taken = tensors.FirstOrDefault(t => map.ContainsKey(t.Key)).Key;
        if (taken is not null) throw new ArgumentException($"tensor '{taken}' is already in {directory}", nameof(tensors));
        var files = map.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        int count = files.Count + 1;
        string ShardName(int i) => $"model-{i + 1:D5}-of-{count:D5}.safetensors";
        // Two passes through temporary names, so a new name never lands on an old file not yet moved.
        var renamed = files.Select((f, i) => (From: f, Temp: $".append-{i}.tmp", To: ShardName(i))).ToList();
        foreach (var r in renamed) File.Move(Path.Combine(directory, r.From), Path.Combine(directory, r.Temp));
        foreach (var r in renamed) File.Move(Path.Combine(directory, r.Temp), Path.Combine(directory, r.To));
        string last = ShardName(files.Count);
        SafetensorsWriter.Write(Path.Combine(directory, last), tensors);

        var newName = renamed.ToDictionary(r => r.From, r => r.To);
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, file) in map) weightMap[name] = newName[file];
        foreach (var (name, _) in tensors) weightMap[name] = last;
        long totalSize = Enumerable.Range(0, count).Sum(i => SafetensorsReader.ReadHeader(Path.Combine(directory, ShardName(i))).Tensors.Sum(t => t.ByteLength));
        WriteIndex(Path.Combine(directory, IndexFileName), totalSize, weightMap);
        return [.. Enumerable.Range(0, count).Select(ShardName), IndexFileName];
    }

    private static List<List<KeyValuePair<string, Tensor>>> ByPart(List<KeyValuePair<string, Tensor>> tensors, Func<string, int> partOf)
    {
        var groups = tensors.GroupBy(t => partOf(t.Key)).OrderBy(g => g.Key).ToList();
        for (int i = 0; i < groups.Count; i++)
            if (groups[i].Key != i) throw new ArgumentException($"checkpoint part {i} has no tensor (parts must be 0..N-1)", nameof(partOf));
        return groups.Select(g => g.ToList()).ToList();
    }

    /// <summary>Greedy packing in the given order, so shards hold consecutive tensors (layers stay together).</summary>
    private static List<List<KeyValuePair<string, Tensor>>> Pack(
        List<KeyValuePair<string, Tensor>> tensors, SafetensorsDType? storeAs, long maxShardBytes)
    {
        var shards = new List<List<KeyValuePair<string, Tensor>>>();
        var current = new List<KeyValuePair<string, Tensor>>();
        long currentBytes = 0;
        foreach (var entry in tensors)
        {
            var size = SafetensorsWriter.StoredBytes(entry.Value, storeAs);
            if (current.Count > 0 && currentBytes + size > maxShardBytes)
            {
                shards.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(entry);
            currentBytes += size;
        }
        if (current.Count > 0) shards.Add(current);
        return shards;
    }

    private static void WriteIndex(string path, long totalSize, SortedDictionary<string, string> weightMap)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", totalSize);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (name, file) in weightMap) json.WriteString(name, file);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        stream.Flush(flushToDisk: true);
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(indexPath, $"is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var map)
                || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(indexPath, "has no weight_map object");
            var weightMap = new Dictionary<string, string>();
            foreach (var entry in map.EnumerateObject())
            {
                var file = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                // Shards live beside the index: a path that leaves the directory is damage, never intent.
                if (file.Length == 0 || file != Path.GetFileName(file) || file is "." or "..")
                    throw new CheckpointException(indexPath, $"weight_map entry '{entry.Name}' is not a plain shard file name");
                weightMap[entry.Name] = file;
            }
            return weightMap;
        }
    }
}
