using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model;

/// <summary>Direct access to a CPU tensor's memory, for the few loops written in C# rather than as libtorch ops.</summary>
internal static unsafe class TensorMemory
{
    // The tensor's first element, storage offset included (LibTorchSharp's accessor behind Tensor.data_ptr()).
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);

    /// <summary>
    /// Address of <paramref name="tensor"/>'s first element. Valid while the tensor lives: callers keep it alive
    /// (GC.KeepAlive) until they are done with the pointer.
    /// </summary>
    public static void* Data(Tensor tensor) => (void*)THSTensor_data(tensor.Handle);

    /// <summary>
    /// Throws unless <paramref name="tensor"/> is a dense CPU tensor of <paramref name="dtype"/> in row-major order: what
    /// a loop that walks its memory with one running pointer assumes.
    /// </summary>
    public static void RequireContiguous(Tensor tensor, ScalarType dtype, string name)
    {
        if (tensor.device_type != TorchSharp.DeviceType.CPU || tensor.dtype != dtype || !tensor.is_contiguous())
            throw new ArgumentException(
                $"{name}: a loop over CPU memory needs a contiguous {dtype} CPU tensor, got {tensor.dtype} on {tensor.device} " +
                $"with strides [{string.Join(", ", tensor.stride())}] for shape [{string.Join(", ", tensor.shape)}]");
    }
}
