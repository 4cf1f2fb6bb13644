using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Kernels;

/// <summary>Checks a tensor is what a native kernel reads through a bare pointer, before its address is taken.</summary>
internal static class NativeTensors
{
    /// <summary>
    /// Returns <paramref name="tensor"/> as a dense row-major tensor (a contiguous copy when it is strided) after checking
    /// its dtype and shape; the caller keeps the returned tensor referenced until the native call returns.
    /// </summary>
    public static Tensor Dense(Tensor tensor, ScalarType dtype, string name, params long[] shape)
    {
        if (tensor.dtype != dtype)
            throw new ArgumentException($"{name}: the native kernel needs {dtype}, got {tensor.dtype}");
        if (!tensor.shape.SequenceEqual(shape))
            throw new ArgumentException($"{name}: expected shape [{string.Join(", ", shape)}], got [{string.Join(", ", tensor.shape)}]");
        return tensor.is_contiguous() ? tensor : tensor.contiguous();
    }

    /// <summary>The same device for every tensor of one call.</summary>
    public static void SameDevice(string operation, params Tensor[] tensors)
    {
        foreach (var t in tensors)
            if (t.device_type != tensors[0].device_type || t.device_index != tensors[0].device_index)
                throw new ArgumentException($"{operation}: tensors on {tensors[0].device} and {t.device}; the native kernel needs one device");
    }
}
