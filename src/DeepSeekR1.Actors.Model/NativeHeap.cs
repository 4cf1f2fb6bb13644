using System.Runtime.InteropServices;

namespace DeepSeekR1.Actors.Model;

/// <summary>
/// How the C library's allocator, which libtorch's CPU tensors come from, treats freed memory.
/// </summary>
/// <remarks>
/// glibc serves a large allocation with its own mmap and gives it back to the kernel on free, and it trims the heap
/// once enough free memory sits at its top. A decoding step allocates and frees the same few megabytes of activations
/// every token, so with those defaults each step touches fresh pages that the kernel must fault in and zero: 4-8 % of a
/// batch-256 decoding step on the build machine (docs/generation.md). Raising the mmap threshold to glibc's maximum and
/// turning trimming off keeps freed blocks in the heap for the next step, which is what the caching allocators
/// PyTorch users preload (jemalloc, tcmalloc) do. The price: the process keeps its peak heap until it exits.
/// The settings are process-wide and only exist in glibc; elsewhere <see cref="KeepFreedMemory"/> does nothing.
/// </remarks>
public static class NativeHeap
{
    // mallopt parameters, from glibc's malloc.h.
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;

    // glibc's upper bound for the mmap threshold on 64-bit systems (4 * 1024 * 1024 * sizeof(long)).
    private const int LargestMmapThreshold = 32 * 1024 * 1024;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>
    /// Keeps blocks up to 32 MiB in the heap when freed and never trims it. Returns whether the C library took the
    /// settings (false off Linux, or on a C library without glibc's mallopt).
    /// </summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // Setting either one also stops glibc from moving both with the sizes it sees freed.
            return Mallopt(TrimThreshold, int.MaxValue) == 1 & Mallopt(MmapThreshold, LargestMmapThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
