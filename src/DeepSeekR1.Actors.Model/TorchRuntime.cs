using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model;

/// <summary>Process-wide libtorch settings and device selection, driven by configuration (never assumes the CPU).</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Parses a device name from configuration ("cpu", "cuda", "cuda:1") and checks it is usable here, with an error
    /// that says what to do when it is not.
    /// </summary>
    public static Device ResolveDevice(string name)
    {
        var device = new Device(name);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new NotSupportedException(
                $"device '{name}' asked for CUDA, but this build has no usable CUDA backend: build with -p:TorchBackend=cuda " +
                "on a machine where TorchSharp-cuda-linux restores and a GPU is present (docs/gpu.md)");
        return device;
    }

    /// <summary>Sets libtorch's intra-op thread count (0 keeps libtorch's default of one per core).</summary>
    public static void SetThreads(int threads)
    {
        if (threads > 0) set_num_threads(threads);
    }

    /// <summary>
    /// Applies the process-wide settings of one configuration: the intra-op thread count (<c>r1.torch-threads</c>) and,
    /// when <paramref name="keepFreedMemory"/> (<c>r1.torch-keep-freed-memory</c>), an allocator that reuses freed
    /// tensor memory instead of faulting in fresh pages (<see cref="NativeHeap"/>).
    /// </summary>
    public static void Configure(int threads, bool keepFreedMemory)
    {
        SetThreads(threads);
        if (keepFreedMemory) NativeHeap.KeepFreedMemory();
    }
}
