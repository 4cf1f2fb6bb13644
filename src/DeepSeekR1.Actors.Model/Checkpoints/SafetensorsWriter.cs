using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>Writes tensors to one safetensors file.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>, in the given order. Floating-point tensors are
    /// converted to <paramref name="storeAs"/> when it is given (integer tensors keep their type); the file is
    /// flushed to disk before this returns.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors share a name, or a tensor's type cannot be stored.</exception>
    public static void Write(
        string path,
        IEnumerable<KeyValuePair<string, Tensor>> tensors,
        SafetensorsDType? storeAs = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var (name, _) in list)
        {
            if (!names.Add(name)) throw new ArgumentException($"tensor '{name}' is given twice", nameof(tensors));
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor", nameof(tensors));
        }

        var header = BuildHeader(list, storeAs, metadata);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in list)
        {
            using var scope = NewDisposeScope();
            var target = SafetensorsDTypes.ToScalarType(StoredDType(tensor, storeAs));
            var stored = tensor.detach();
            if (stored.dtype != target) stored = stored.to(target);
            TensorBytes.Write(stored.cpu().contiguous(), stream);
        }
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The dtype <paramref name="tensor"/> is stored as when the requested store dtype is <paramref name="storeAs"/>.</summary>
    public static SafetensorsDType StoredDType(Tensor tensor, SafetensorsDType? storeAs)
    {
        var own = SafetensorsDTypes.FromScalarType(tensor.dtype);
        return storeAs is { } target && SafetensorsDTypes.IsFloatingPoint(own) && SafetensorsDTypes.IsFloatingPoint(target)
            ? target
            : own;
    }

    /// <summary>Bytes <paramref name="tensor"/>'s data takes in a file when stored as <paramref name="storeAs"/>.</summary>
    public static long StoredBytes(Tensor tensor, SafetensorsDType? storeAs) =>
        tensor.numel() * SafetensorsDTypes.ElementSize(StoredDType(tensor, storeAs));

    /// <summary>
    /// The JSON header, padded with spaces so the data section starts on an 8-byte boundary (readers may then
    /// map the data in place with aligned element access).
    /// </summary>
    private static byte[] BuildHeader(
        List<KeyValuePair<string, Tensor>> tensors,
        SafetensorsDType? storeAs,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            // Hugging Face's loaders look for format "pt" to know the tensors are PyTorch-laid-out.
            if (metadata is null || !metadata.ContainsKey("format")) json.WriteString("format", "pt");
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
                json.WriteString(key, value);
            json.WriteEndObject();

            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                var dtype = StoredDType(tensor, storeAs);
                var size = StoredBytes(tensor, storeAs);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.ToString());
                json.WriteStartArray("shape");
                foreach (var dim in tensor.shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }

        var padding = (int)((8 - buffer.Length % 8) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }
}
