using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// Moves the raw bytes of a contiguous CPU tensor to and from a stream without an intermediate managed copy.
/// TorchSharp exposes a tensor's storage as a <see cref="Span{T}"/> of bytes, which is limited to
/// <see cref="int.MaxValue"/> bytes, so large tensors are walked in 1 GiB slices of their flattened view.
/// </summary>
internal static class TensorBytes
{
    private const long SliceBytes = 1L << 30;

    /// <summary>Writes the bytes of <paramref name="tensor"/> (contiguous, on the CPU) to <paramref name="stream"/>.</summary>
    public static void Write(Tensor tensor, Stream stream) =>
        ForEachSlice(tensor, slice => stream.Write(slice.bytes));

    /// <summary>Fills <paramref name="tensor"/> (contiguous, on the CPU) with bytes read from <paramref name="stream"/>.</summary>
    public static void Read(Tensor tensor, Stream stream) =>
        ForEachSlice(tensor, slice => stream.ReadExactly(slice.bytes));

    private static void ForEachSlice(Tensor tensor, Action<Tensor> action)
    {
        RequireLittleEndian();
        var count = tensor.numel();
        if (count == 0) return;
        using var scope = NewDisposeScope();
        // A contiguous tensor's flattened form is a view, so slices of it alias the tensor's own storage.
        var flat = tensor.flatten();
        var perSlice = Math.Max(1, SliceBytes / tensor.element_size());
        for (long start = 0; start < count; start += perSlice)
        {
            using var slice = flat.narrow(0, start, Math.Min(perSlice, count - start));
            action(slice);
        }
    }

    /// <summary>Safetensors data is little-endian; copying raw storage is only right on a little-endian host.</summary>
    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors I/O here copies raw tensor storage and needs a little-endian machine");
    }
}
