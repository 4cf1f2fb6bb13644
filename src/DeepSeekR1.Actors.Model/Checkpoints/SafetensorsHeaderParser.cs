using System.Buffers.Binary;
using System.Text.Json;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// Reads and checks the header of a safetensors file: an 8-byte little-endian length N, N bytes of UTF-8 JSON
/// mapping each tensor name to its dtype, shape and byte range, then the data. Every inconsistency is reported
/// before any tensor is allocated, so a damaged file fails fast with a message that says what is wrong.
/// </summary>
internal static class SafetensorsHeaderParser
{
    /// <summary>Largest header accepted (the reference implementation's limit): anything bigger is corruption.</summary>
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    /// <summary>Reads the header at the start of <paramref name="stream"/>, the open file <paramref name="path"/>.</summary>
    public static SafetensorsHeader Read(FileStream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength < 8)
            throw new CheckpointException(path, $"file is {fileLength} bytes, too short for the 8-byte header length");

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new CheckpointException(path, $"header length {headerLength} runs past the end of the file ({fileLength} bytes)");
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointException(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        return Parse(headerBytes, path, dataStart, fileLength - dataStart);
    }

    private static SafetensorsHeader Parse(byte[] json, string path, long dataStart, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(path, "header JSON must be an object");

            var tensors = new List<SafetensorsTensorInfo>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // JSON allows repeated keys; two entries for one tensor would make its data ambiguous.
                if (!seen.Add(property.Name))
                    throw new CheckpointException(path, $"header names '{property.Name}' twice");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, path, metadata);
                else
                    tensors.Add(ReadTensor(property.Name, property.Value, path));
            }

            CheckLayout(tensors, path, dataLength);
            return new SafetensorsHeader(tensors, metadata, dataStart);
        }
    }

    private static void ReadMetadata(JsonElement element, string path, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(path, $"{MetadataKey} must be an object of strings");
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException(path, $"{MetadataKey} value '{entry.Name}' is not a string");
            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    private static SafetensorsTensorInfo ReadTensor(string name, JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(path, $"tensor '{name}': entry must be an object with dtype, shape and data_offsets");

        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointException(path, $"tensor '{name}': dtype is missing or not a string");
        var dtypeText = dtypeElement.GetString()!;
        var dtype = SafetensorsDTypes.Parse(dtypeText)
            ?? throw new CheckpointException(path, $"tensor '{name}': unknown dtype '{dtypeText}'");

        var shape = ReadNonNegativeIntegers(element, "shape", name, path);
        var offsets = ReadNonNegativeIntegers(element, "data_offsets", name, path);
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw new CheckpointException(path, $"tensor '{name}': data_offsets must be [begin, end] with begin <= end");

        var info = new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        long expected;
        try
        {
            expected = checked(info.ElementCount * SafetensorsDTypes.ElementSize(dtype));
        }
        catch (OverflowException)
        {
            throw new CheckpointException(path, $"tensor '{name}': shape [{string.Join(", ", shape)}] is too large");
        }
        if (expected != info.ByteLength)
            throw new CheckpointException(path,
                $"tensor '{name}': data_offsets [{info.Begin}, {info.End}] hold {info.ByteLength} bytes " +
                $"but shape [{string.Join(", ", shape)}] of {dtype} needs {expected}");
        return info;
    }

    private static long[] ReadNonNegativeIntegers(JsonElement tensor, string key, string name, string path)
    {
        if (!tensor.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new CheckpointException(path, $"tensor '{name}': {key} is missing or not a list");
        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
                throw new CheckpointException(path, $"tensor '{name}': {key} must hold non-negative integers");
            values[i++] = value;
        }
        return values;
    }

    /// <summary>
    /// The data section must be tiled exactly by the tensors, in offset order: no overlaps (two tensors sharing
    /// bytes), no gaps, nothing past the end (a truncated file) and nothing after the last tensor.
    /// </summary>
    private static void CheckLayout(List<SafetensorsTensorInfo> tensors, string path, long dataLength)
    {
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long covered = 0;
        string? previous = null;
        foreach (var tensor in tensors)
        {
            if (tensor.Begin < covered)
                throw new CheckpointException(path, $"tensor '{tensor.Name}': data_offsets [{tensor.Begin}, {tensor.End}] overlap tensor '{previous}'");
            if (tensor.Begin > covered)
                throw new CheckpointException(path, $"tensor '{tensor.Name}': data_offsets begin at {tensor.Begin}, leaving a gap after byte {covered}");
            if (tensor.End > dataLength)
                throw new CheckpointException(path,
                    $"tensor '{tensor.Name}': data_offsets end {tensor.End} lies past the end of the data " +
                    $"({dataLength} bytes after the header): the file is truncated or the offsets are wrong");
            covered = tensor.End;
            previous = tensor.Name;
        }
        if (covered != dataLength)
            throw new CheckpointException(path, $"file has {dataLength - covered} bytes after the last tensor's data");
    }
}
