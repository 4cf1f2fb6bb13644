using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Kernels;

/// <summary>
/// Process-wide choice between the native kernels of kernels/ and the TorchSharp reference paths
/// (<c>r1.kernels.mode</c>): loads <c>libr1_kernels.so</c> once, checks its ABI version, and decides per call whether the
/// tensors at hand can go to native code. In <see cref="KernelMode.Auto"/> a library that is missing or fails to load
/// is reported once on standard error and the TorchSharp path runs; in <see cref="KernelMode.Native"/> it is an error.
/// </summary>
public static class KernelRuntime
{
    private static readonly Lazy<(bool Loaded, string Detail)> load = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static volatile KernelMode mode = KernelMode.Auto;
    private static int fallbackReported;
    private static int bfloat16Reported;
    [ThreadStatic] private static KernelMode? threadMode;

    /// <summary>The mode on this thread: a <see cref="Use"/> scope's, else the one set by <see cref="Configure"/> (auto until then).</summary>
    public static KernelMode Mode => threadMode ?? mode;

    /// <summary>
    /// Runs this thread's kernel calls in <paramref name="value"/> until the returned scope is disposed (tests and
    /// benchmarks compare the two paths in one process without changing the mode other threads see).
    /// </summary>
    public static IDisposable Use(KernelMode value)
    {
        if (value == KernelMode.Native) RequireLoaded("r1.kernels.mode = native");
        var previous = threadMode;
        threadMode = value;
        return new ModeScope(previous);
    }

    private sealed class ModeScope(KernelMode? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            threadMode = previous;
        }
    }

    /// <summary>Sets the mode for the process; <see cref="KernelMode.Native"/> checks at once that the library loads.</summary>
    public static void Configure(KernelMode value)
    {
        mode = value;
        if (value == KernelMode.Native) RequireLoaded("r1.kernels.mode = native");
    }

    /// <summary>Whether libr1_kernels loaded with the expected ABI (loads it on first use).</summary>
    public static bool IsLoaded => load.Value.Loaded;

    /// <summary>The library's build line ("cpu=avx512 omp-threads=2 cuda=off"), or why it did not load.</summary>
    public static string Describe() => load.Value.Detail;

    /// <summary>
    /// Whether an operation over <paramref name="tensors"/> runs natively: never in torch mode; in auto mode when the
    /// library loaded and every tensor is float32/int64 on the CPU (or on a GPU the library was built for); in native
    /// mode always, after the same checks, which then throw (<see cref="NotSupportedException"/>) instead of falling back.
    /// </summary>
    public static bool UseNative(string operation, params Tensor[] tensors)
    {
        var current = Mode;
        if (current == KernelMode.Torch) return false;
        if (!IsLoaded)
        {
            if (current == KernelMode.Native) RequireLoaded(operation);
            ReportFallbackOnce();
            return false;
        }
        foreach (var t in tensors)
        {
            string? why = Unsupported(t);
            if (why is null) continue;
            if (current == KernelMode.Native)
                throw new NotSupportedException($"r1.kernels.mode = native: {operation} cannot run natively: {why}");
            // A bfloat16 policy (r1.model.dtype) is the expected case: the kernels take float32, and upcasting the
            // output head's weight every pass would cost the memory bfloat16 saves. Said once, then the TorchSharp path.
            if (t.dtype == ScalarType.BFloat16 && Interlocked.Exchange(ref bfloat16Reported, 1) == 0)
                Console.Error.WriteLine($"r1.kernels: {operation} takes float32; a bfloat16 model uses the TorchSharp path (r1.model.dtype = bfloat16)");
            return false;
        }
        return true;
    }

    /// <summary>The native device code of <paramref name="tensor"/>.</summary>
    internal static int DeviceOf(Tensor tensor) =>
        tensor.device_type == DeviceType.CUDA ? NativeKernels.DeviceCuda : NativeKernels.DeviceCpu;

    /// <summary>The OpenMP threads a native call uses: libtorch's intra-op count, so r1.torch-threads governs both.</summary>
    internal static int Threads => get_num_threads();

    private static string? Unsupported(Tensor t)
    {
        if (t.dtype != ScalarType.Float32 && t.dtype != ScalarType.Int64) return $"a {t.dtype} tensor (the kernels take float32)";
        if (t.device_type == DeviceType.CPU) return null;
        if (t.device_type == DeviceType.CUDA && NativeKernels.CudaAvailable() == 1) return null;
        return $"a tensor on {t.device}, which this build of r1_kernels does not run on";
    }

    private static void RequireLoaded(string what)
    {
        if (!IsLoaded)
            throw new NotSupportedException(
                $"{what}: the native kernels are not available ({load.Value.Detail}); build kernels/ (cmake and a C++ " +
                "compiler on PATH, docs/kernels.md) or set r1.kernels.mode = auto or torch");
    }

    private static void ReportFallbackOnce()
    {
        if (Interlocked.Exchange(ref fallbackReported, 1) == 0)
            Console.Error.WriteLine($"r1.kernels: the native kernels are not available ({load.Value.Detail}); using the TorchSharp paths");
    }

    private static (bool, string) Load()
    {
        try
        {
            // The build copies the library next to this assembly; LibraryImport resolves it from there too.
            if (!NativeLibrary.TryLoad(NativeKernels.Library, typeof(KernelRuntime).Assembly, DllImportSearchPath.AssemblyDirectory, out _))
            {
                string dir = Path.GetDirectoryName(typeof(KernelRuntime).Assembly.Location) ?? ".";
                return (false, $"lib{NativeKernels.Library}.so not found in {dir} or failed to load");
            }
            int version = NativeKernels.AbiVersionOfLibrary();
            if (version != NativeKernels.AbiVersion)
                return (false, $"lib{NativeKernels.Library}.so has ABI version {version}, this build expects {NativeKernels.AbiVersion}: rebuild kernels/");
            return (true, Marshal.PtrToStringUTF8(NativeKernels.BuildInfo()) ?? "");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return (false, e.Message);
        }
    }
}
