namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>Where one tensor lives in a safetensors file, as its JSON header describes it.</summary>
/// <param name="Name">The tensor's name (the header key).</param>
/// <param name="DType">The element type of the stored bytes.</param>
/// <param name="Shape">The tensor's shape; empty for a scalar.</param>
/// <param name="Begin">Offset of the first byte, counted from the start of the data section.</param>
/// <param name="End">Offset one past the last byte, counted from the start of the data section.</param>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (the product of the shape; one for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => checked(n * d));

    /// <summary>Number of bytes the tensor's data occupies.</summary>
    public long ByteLength => End - Begin;
}

/// <summary>The parsed, validated header of a safetensors file.</summary>
/// <param name="Tensors">The tensors in the order their data appears in the file.</param>
/// <param name="Metadata">The free-form <c>__metadata__</c> strings (empty when the file has none).</param>
/// <param name="DataStart">File offset of the data section: 8 plus the header length.</param>
public sealed record SafetensorsHeader(
    IReadOnlyList<SafetensorsTensorInfo> Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    long DataStart);
