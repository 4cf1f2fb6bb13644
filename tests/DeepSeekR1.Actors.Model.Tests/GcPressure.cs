namespace DeepSeekR1.Actors.Model.Tests;

/// <summary>
/// A thread that allocates and collects garbage as fast as it can until disposed, and waits for finalizers each time:
/// what a busy actor system does to the tensor thread, compressed. A tensor that is unreachable while libtorch still
/// uses it is freed by its finalizer within a second of this running.
/// </summary>
internal sealed class GcPressure : IDisposable
{
    private readonly Thread thread;
    private volatile bool stop;

    public GcPressure()
    {
        thread = new Thread(() =>
        {
            while (!stop)
            {
                var junk = new byte[4096][];
                for (int i = 0; i < junk.Length; i++) junk[i] = new byte[32];
                GC.KeepAlive(junk);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true, Name = "gc-pressure" };
        thread.Start();
    }

    /// <summary>Collections this pressure has forced so far (generation 0 and up, process-wide).</summary>
    public static int Collections => GC.CollectionCount(0);

    public void Dispose()
    {
        stop = true;
        thread.Join();
    }
}

/// <summary>
/// Tests that force collections flat out run alone, after the parallel ones: the pressure reaches every thread of the
/// process, and a test elsewhere that leaves a temporary to the finalizer would crash for a reason not its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GcPressureCollection
{
    public const string Name = "gc pressure";
}
