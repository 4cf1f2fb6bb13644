using TorchSharp;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>The element types a safetensors file may hold, spelled as in the file's JSON header.</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 single precision ("F32").</summary>
    F32,

    /// <summary>bfloat16: the top 16 bits of a float32 ("BF16").</summary>
    BF16,

    /// <summary>IEEE 754 half precision ("F16").</summary>
    F16,

    /// <summary>IEEE 754 double precision ("F64").</summary>
    F64,

    /// <summary>Signed 64-bit integer ("I64").</summary>
    I64,

    /// <summary>Signed 32-bit integer ("I32").</summary>
    I32,

    /// <summary>Signed 16-bit integer ("I16").</summary>
    I16,

    /// <summary>Signed 8-bit integer ("I8").</summary>
    I8,

    /// <summary>Unsigned 8-bit integer ("U8").</summary>
    U8,

    /// <summary>Boolean stored as one byte ("BOOL").</summary>
    BOOL,
}

/// <summary>Maps safetensors dtypes to TorchSharp scalar types and element widths.</summary>
public static class SafetensorsDTypes
{
    /// <summary>Bytes one element of <paramref name="dtype"/> occupies.</summary>
    public static int ElementSize(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.BF16 or SafetensorsDType.F16 or SafetensorsDType.I16 => 2,
        _ => 1,
    };

    /// <summary>The TorchSharp scalar type holding elements of <paramref name="dtype"/>.</summary>
    public static torch.ScalarType ToScalarType(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => torch.ScalarType.Float32,
        SafetensorsDType.BF16 => torch.ScalarType.BFloat16,
        SafetensorsDType.F16 => torch.ScalarType.Float16,
        SafetensorsDType.F64 => torch.ScalarType.Float64,
        SafetensorsDType.I64 => torch.ScalarType.Int64,
        SafetensorsDType.I32 => torch.ScalarType.Int32,
        SafetensorsDType.I16 => torch.ScalarType.Int16,
        SafetensorsDType.I8 => torch.ScalarType.Int8,
        SafetensorsDType.U8 => torch.ScalarType.Byte,
        SafetensorsDType.BOOL => torch.ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };

    /// <summary>The safetensors dtype for a TorchSharp scalar type.</summary>
    /// <exception cref="ArgumentException">The scalar type (complex, for one) has no safetensors spelling here.</exception>
    public static SafetensorsDType FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => SafetensorsDType.F32,
        torch.ScalarType.BFloat16 => SafetensorsDType.BF16,
        torch.ScalarType.Float16 => SafetensorsDType.F16,
        torch.ScalarType.Float64 => SafetensorsDType.F64,
        torch.ScalarType.Int64 => SafetensorsDType.I64,
        torch.ScalarType.Int32 => SafetensorsDType.I32,
        torch.ScalarType.Int16 => SafetensorsDType.I16,
        torch.ScalarType.Int8 => SafetensorsDType.I8,
        torch.ScalarType.Byte => SafetensorsDType.U8,
        torch.ScalarType.Bool => SafetensorsDType.BOOL,
        _ => throw new ArgumentException($"tensors of type {type} cannot be stored in safetensors here", nameof(type)),
    };

    /// <summary>Whether <paramref name="dtype"/> is a floating-point type (the only kind a store dtype converts).</summary>
    public static bool IsFloatingPoint(SafetensorsDType dtype) =>
        dtype is SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16 or SafetensorsDType.F64;

    /// <summary>Parses the header spelling ("F32", "BF16", ...); null when the spelling is unknown.</summary>
    public static SafetensorsDType? Parse(string text) =>
        Enum.TryParse<SafetensorsDType>(text, ignoreCase: false, out var dtype) && Enum.IsDefined(dtype) && text == dtype.ToString()
            ? dtype
            : null;
}
