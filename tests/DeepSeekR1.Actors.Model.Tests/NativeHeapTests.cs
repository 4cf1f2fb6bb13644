using System.Runtime.InteropServices;

namespace DeepSeekR1.Actors.Model.Tests;

// Alone, after the parallel tests: other tests' allocations in the same malloc arena would take the freed blocks.
[Collection(Policy.SingleThreadedTorch.Name)]
public class NativeHeapTests
{
    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern unsafe int GetRusage(int who, long* usage);

    // Minor page faults of the calling thread so far (RUSAGE_THREAD; ru_minflt follows two timevals and four longs).
    private static unsafe long MinorFaults()
    {
        long* usage = stackalloc long[18];
        if (GetRusage(1, usage) != 0) throw new InvalidOperationException("getrusage failed");
        return usage[8];
    }

    [Fact]
    public unsafe void Freed_blocks_are_reused_without_faulting_in_fresh_pages()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(NativeHeap.KeepFreedMemory());

        // A decoding step's pattern: a burst of megabyte-sized blocks, written, then all freed. glibc's defaults trim
        // the freed top of the heap after every burst, so each burst faults in all its pages again (16 MiB = 4096).
        // On a thread of its own, which glibc gives its own arena, so no other thread's allocations take the blocks.
        long faultsAfterFirst = 0;
        var thread = new Thread(() =>
        {
            const int blocks = 16, size = 1 << 20;
            var pointers = new IntPtr[blocks];
            for (int burst = 0; burst < 6; burst++)
            {
                long before = MinorFaults();
                for (int i = 0; i < blocks; i++)
                {
                    pointers[i] = (IntPtr)NativeMemory.Alloc(size);
                    new Span<byte>((void*)pointers[i], size).Fill(1);
                }
                for (int i = 0; i < blocks; i++) NativeMemory.Free((void*)pointers[i]);
                if (burst > 0) faultsAfterFirst += MinorFaults() - before;
            }
        });
        thread.Start();
        thread.Join();
        Assert.True(faultsAfterFirst < 500, $"{faultsAfterFirst} page faults in five repeated bursts of 16 MiB");
    }
}
