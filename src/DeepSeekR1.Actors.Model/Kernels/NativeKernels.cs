using System.Runtime.InteropServices;

namespace DeepSeekR1.Actors.Model.Kernels;

/// <summary>
/// The C ABI of kernels/ (<c>kernels/include/r1_kernels.h</c>), bound with <see cref="LibraryImportAttribute"/>. The
/// build puts <c>libr1_kernels.so</c> next to the assemblies (kernels/r1-kernels.targets). Callers go through
/// <see cref="KernelRuntime"/>, which loads the library once and checks its ABI version before any of these runs.
/// </summary>
internal static unsafe partial class NativeKernels
{
    /// <summary>The library's file name without prefix and extension, as the runtime probes for it.</summary>
    public const string Library = "r1_kernels";

    /// <summary>The <c>R1K_ABI_VERSION</c> this binding was written for.</summary>
    public const int AbiVersion = 1;

    public const int Ok = 0;
    public const int DeviceCpu = 0;
    public const int DeviceCuda = 1;

    [LibraryImport(Library, EntryPoint = "r1k_abi_version")]
    public static partial int AbiVersionOfLibrary();

    [LibraryImport(Library, EntryPoint = "r1k_build_info")]
    public static partial IntPtr BuildInfo();

    [LibraryImport(Library, EntryPoint = "r1k_cuda_available")]
    public static partial int CudaAvailable();

    [LibraryImport(Library, EntryPoint = "r1k_last_error")]
    public static partial IntPtr LastError();

    [LibraryImport(Library, EntryPoint = "r1k_linear_logprob_forward")]
    public static partial int LinearLogprobForward(int device, int threads, float* hidden, float* weight, long* targets,
        long n, long h, long v, float invTemperature, float* logprob, float* entropy, float* lse);

    [LibraryImport(Library, EntryPoint = "r1k_linear_logprob_backward")]
    public static partial int LinearLogprobBackward(int device, int threads, float* hidden, float* weight, long* targets,
        float* lse, float* gradLogprob, long n, long h, long v, float invTemperature, float* gradHidden, float* gradWeight,
        int accumulateWeight);

    [LibraryImport(Library, EntryPoint = "r1k_moe_route_order")]
    public static partial int MoeRouteOrder(long* experts, long slots, long numExperts, long* order, long* counts);

    [LibraryImport(Library, EntryPoint = "r1k_moe_gather")]
    public static partial int MoeGather(int device, int threads, float* x, long* order, long n, long k, long h, float* output);

    [LibraryImport(Library, EntryPoint = "r1k_moe_scatter")]
    public static partial int MoeScatter(int device, int threads, float* rows, float* weights, long* order, long n, long k,
        long h, float* y);

    [LibraryImport(Library, EntryPoint = "r1k_moe_scatter_backward")]
    public static partial int MoeScatterBackward(int device, int threads, float* rows, float* weights, long* order,
        float* gradY, long n, long k, long h, float* gradRows, float* gradWeights);

    /// <summary>Throws with the library's message unless <paramref name="status"/> is <see cref="Ok"/>.</summary>
    public static void Check(int status, string call)
    {
        if (status == Ok) return;
        string message = Marshal.PtrToStringUTF8(LastError()) ?? "";
        throw new InvalidOperationException($"r1_kernels: {call} failed with status {status}: {message}");
    }
}
