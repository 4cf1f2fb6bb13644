using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeepSeekR1.Actors.Model.Checkpoints;

namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>
/// A tensor as it travels: its element type (a safetensors dtype name, <c>F32</c>), its shape, and its raw
/// little-endian bytes in row-major order. Inside a contract marked <see cref="ICarriesTensors"/> the bytes never go
/// through JSON: the body is a small JSON header followed by every payload's bytes (<see cref="TensorBody"/>).
/// </summary>
/// <param name="DType">The element type, e.g. <c>F32</c>, <c>BF16</c>, <c>U8</c>.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Data">The bytes: shape's product × the element size.</param>
[JsonConverter(typeof(TensorPayloadConverter))]
public sealed record TensorPayload(string DType, IReadOnlyList<long> Shape, ReadOnlyMemory<byte> Data)
{
    /// <summary>Elements: the product of the shape.</summary>
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Checks that the bytes fit the dtype and shape; names the first thing that does not.</summary>
    public TensorPayload Validate()
    {
        var dtype = SafetensorsDTypes.Parse(DType) ?? throw new SerializationException($"tensor payload: '{DType}' is not a dtype");
        if (Shape.Any(d => d < 0)) throw new SerializationException($"tensor payload: shape [{string.Join(", ", Shape)}] has a negative size");
        long expected = Elements * SafetensorsDTypes.ElementSize(dtype);
        if (expected != Data.Length)
            throw new SerializationException($"tensor payload: {DType} [{string.Join(", ", Shape)}] needs {expected:N0} bytes, it has {Data.Length:N0}");
        return this;
    }

    // Two payloads are equal when their bytes are (the record's default would compare the memory's identity).
    /// <inheritdoc />
    public bool Equals(TensorPayload? other) =>
        other is not null && DType == other.DType && Shape.SequenceEqual(other.Shape) && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DType, Shape.Count, Data.Length);
}

/// <summary>
/// A contract with <see cref="TensorPayload"/>s in it: <see cref="ContractCodec"/> writes it as a
/// <see cref="TensorBody"/> (header + raw bytes) instead of plain JSON.
/// </summary>
public interface ICarriesTensors;

/// <summary>
/// The body of an <see cref="ICarriesTensors"/> contract: the 4 bytes <c>R1T1</c>, the JSON header's length (4 bytes,
/// little-endian), the JSON header (the contract, each payload written as its dtype, shape and byte count), then every
/// payload's bytes in the order the header names them. Decoding slices the payloads out of the body without copying.
/// </summary>
public static class TensorBody
{
    private static readonly byte[] Magic = "R1T1"u8.ToArray();

    // The payloads' bytes of the contract being written or read on this thread (JSON converters have no other context).
    [ThreadStatic] private static List<ReadOnlyMemory<byte>>? writing;
    [ThreadStatic] private static ReadingState? reading;

    private sealed class ReadingState(ReadOnlyMemory<byte> data)
    {
        public ReadOnlyMemory<byte> Data { get; } = data;
        public int Offset { get; set; }
    }

    /// <summary>Writes <paramref name="contract"/> with <paramref name="options"/> as header + bytes.</summary>
    public static byte[] Encode(object contract, JsonSerializerOptions options)
    {
        var payloads = new List<ReadOnlyMemory<byte>>();
        writing = payloads;
        byte[] header;
        try
        {
            header = JsonSerializer.SerializeToUtf8Bytes(contract, contract.GetType(), options);
        }
        finally
        {
            writing = null;
        }
        long total = Magic.Length + 4L + header.Length + payloads.Sum(p => (long)p.Length);
        if (total > Array.MaxLength) throw new SerializationException($"{contract.GetType().Name}: {total:N0} bytes is more than one message can hold");
        var body = new byte[total];
        Magic.CopyTo(body, 0);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(Magic.Length), header.Length);
        header.CopyTo(body, Magic.Length + 4);
        int at = Magic.Length + 4 + header.Length;
        foreach (var p in payloads)
        {
            p.Span.CopyTo(body.AsSpan(at));
            at += p.Length;
        }
        return body;
    }

    /// <summary>Reads a body <see cref="Encode"/> wrote as <paramref name="type"/>; a truncated or foreign body is an error saying so.</summary>
    public static object? Decode(byte[] body, Type type, JsonSerializerOptions options, string manifest)
    {
        if (body.Length < Magic.Length + 4 || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new SerializationException($"contract '{manifest}': the body is not a tensor body (no R1T1 header)");
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(Magic.Length));
        if (headerLength < 0 || Magic.Length + 4L + headerLength > body.Length)
            throw new SerializationException($"contract '{manifest}': header of {headerLength:N0} bytes does not fit a body of {body.Length:N0}");
        int dataStart = Magic.Length + 4 + headerLength;
        var state = new ReadingState(body.AsMemory(dataStart));
        reading = state;
        try
        {
            var value = JsonSerializer.Deserialize(body.AsSpan(Magic.Length + 4, headerLength), type, options);
            if (state.Offset != state.Data.Length)
                throw new SerializationException($"contract '{manifest}': {state.Data.Length - state.Offset:N0} bytes after the last tensor payload");
            return value;
        }
        finally
        {
            reading = null;
        }
    }

    internal static void Append(ReadOnlyMemory<byte> data) =>
        (writing ?? throw new SerializationException("a tensor payload can only be written inside a contract marked ICarriesTensors")).Add(data);

    internal static ReadOnlyMemory<byte> Take(long length)
    {
        var state = reading ?? throw new SerializationException("a tensor payload can only be read inside a contract marked ICarriesTensors");
        if (length < 0 || state.Offset + length > state.Data.Length)
            throw new SerializationException($"a tensor payload of {length:N0} bytes runs past the end of the body ({state.Data.Length - state.Offset:N0} left)");
        var slice = state.Data.Slice(state.Offset, (int)length);
        state.Offset += (int)length;
        return slice;
    }
}

/// <summary>Writes a <see cref="TensorPayload"/> into a tensor body's header as <c>{"DType","Shape","Bytes"}</c>, its bytes after the header.</summary>
internal sealed class TensorPayloadConverter : JsonConverter<TensorPayload>
{
    public override TensorPayload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a tensor payload is an object");
        string? dtype = null;
        List<long>? shape = null;
        long? bytes = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString() ?? "";
            reader.Read();
            switch (name)
            {
                case "DType": dtype = reader.GetString(); break;
                case "Bytes": bytes = reader.GetInt64(); break;
                case "Shape":
                    shape = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) shape.Add(reader.GetInt64());
                    break;
                default: throw new JsonException($"a tensor payload has no field '{name}'");
            }
        }
        if (dtype is null || shape is null || bytes is null) throw new JsonException("a tensor payload needs DType, Shape and Bytes");
        return new TensorPayload(dtype, shape, TensorBody.Take(bytes.Value)).Validate();
    }

    public override void Write(Utf8JsonWriter writer, TensorPayload value, JsonSerializerOptions options)
    {
        value.Validate();
        writer.WriteStartObject();
        writer.WriteString("DType", value.DType);
        writer.WriteStartArray("Shape");
        foreach (long d in value.Shape) writer.WriteNumberValue(d);
        writer.WriteEndArray();
        writer.WriteNumber("Bytes", value.Data.Length);
        writer.WriteEndObject();
        TensorBody.Append(value.Data);
    }
}
