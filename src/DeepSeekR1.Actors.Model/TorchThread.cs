using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace DeepSeekR1.Actors.Model;

/// <summary>
/// The one thread of a process that runs tensor compute: the model-owning actors' messages (through the engine's model
/// dispatcher) and the command line's own model work (evaluation, the inline loop) all run here, one item at a time.
/// </summary>
/// <remarks>
/// Why one thread and not one per model owner: libtorch's CPU ops parallelise with OpenMP, and GNU OpenMP gives every
/// thread that starts a parallel region a team of worker threads of its own. Once a process holds more such workers
/// than there are cores, libgomp stops spin-waiting between parallel regions and parks its workers instead, so every
/// small op of a decoding step pays a wake-up. A sampler thread and a learner thread (or the main thread that ran the
/// evaluation before them) are already enough to cross that line on a 2-core machine: the same generation took 30-60%
/// longer when two threads took turns at it than when one thread ran it every time (docs/actor-engine.md, "Threads").
/// Work handed over here keeps TorchSharp's thread-local state (dispose scopes, grad mode) consistent as well, because
/// an item always runs to completion on this thread, and every item runs inside <see cref="TensorKeepAlive"/>, so no
/// tensor it creates can be finalized while libtorch still uses it.
/// </remarks>
public sealed class TorchThread
{
    // .NET gives secondary threads 1.5 MB of stack; deep model code (recursive module walks, native frames) gets room.
    private const int StackBytes = 16 << 20;

    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    /// <summary>The process's tensor thread, started on first use; it is a background thread and never stops.</summary>
    public static TorchThread Shared { get; } = new("r1-torch");

    private static readonly Lazy<TorchThread> sampling = new(() => new TorchThread("r1-torch-sampler"));

    /// <summary>
    /// The second tensor thread, for an engine that runs its samplers beside its learner (<c>r1.engine.tensor-threads =
    /// 2</c>, asynchronous rollouts): started on first use. Each of the two threads then gets its own share of the cores
    /// (<see cref="SetIntraOpThreads"/>), so that the process still holds no more OpenMP threads than cores.
    /// </summary>
    public static TorchThread Sampling => sampling.Value;

    /// <summary>
    /// Sets how many libtorch (OpenMP) threads the ops this thread starts use, and returns how many they used before.
    /// OpenMP keeps the count per thread that starts a parallel region; libtorch sets a thread's count from the last
    /// process-wide value the first time that thread asks, so the count is read first and then set.
    /// </summary>
    public int SetIntraOpThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        return Invoke(() =>
        {
            int before = TorchSharp.torch.get_num_threads();
            TorchSharp.torch.set_num_threads(threads);
            return before;
        });
    }

    private TorchThread(string name)
    {
        _thread = new Thread(Loop, StackBytes) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>True when the caller is already running on this thread.</summary>
    public bool IsCurrent => Thread.CurrentThread == _thread;

    /// <summary>The managed id of the thread, for checks and diagnostics.</summary>
    public int ManagedThreadId => _thread.ManagedThreadId;

    /// <summary>
    /// Queues <paramref name="work"/> to run on this thread after what is already queued, and returns at once. An
    /// exception that escapes <paramref name="work"/> ends the process, as on any thread it owns (the engine's
    /// dispatcher hands over Akka mailbox runs, which handle their actors' failures themselves).
    /// </summary>
    public void Post(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        _work.Add(work);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on this thread and returns its result; an exception it throws is rethrown to the
    /// caller with its original stack. Called from this thread, it runs inline (so nested calls cannot deadlock).
    /// </summary>
    public T Invoke<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (IsCurrent) return work();
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        _work.Add(() =>
        {
            try { result = work(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
            finally { done.Set(); }
        });
        done.Wait();
        failure?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="work"/> on this thread and waits for it (see <see cref="Invoke{T}"/>).</summary>
    public void Invoke(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Invoke(() =>
        {
            work();
            return true;
        });
    }

    // Every item runs under a keep-alive scope: a temporary tensor it creates cannot be finalized mid-op
    // (TensorKeepAlive says why; without it the engine crashed in libtorch about once per two long runs).
    private void Loop()
    {
        foreach (var work in _work.GetConsumingEnumerable()) TensorKeepAlive.Run(work);
    }
}
