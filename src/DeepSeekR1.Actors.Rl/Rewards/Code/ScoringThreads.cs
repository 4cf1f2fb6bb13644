using System.Runtime.ExceptionServices;

namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>
/// Runs work items that each wait on a sandbox process on threads of their own, a few at a time. Not the thread pool:
/// a sandbox run blocks its thread for up to the deadline, and blocking pool threads that long starves what shares them
/// (Akka's dispatchers and heartbeats, async I/O). Not the calling thread either, which may be a tensor thread.
/// </summary>
public static class ScoringThreads
{
    /// <summary>Calls <paramref name="body"/> for 0..<paramref name="count"/>-1 on up to <paramref name="parallel"/> new threads and waits for all.</summary>
    /// <exception cref="Exception">The first exception a call threw (the remaining items are then skipped).</exception>
    public static void For(int count, int parallel, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        int next = -1;
        ExceptionDispatchInfo? failure = null;
        var workers = Enumerable.Range(0, Math.Clamp(parallel, 1, Math.Max(1, count))).Select(_ => new Thread(() =>
        {
            try
            {
                for (int i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                    body(i);
            }
            catch (Exception error)
            {
                // A sandbox that cannot start is the node's fault: the caller gets it, not a score.
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(error), null);
                Interlocked.Exchange(ref next, count);
            }
        }) { IsBackground = true, Name = "r1-code-reward" }).ToArray();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();
        failure?.Throw();
    }
}
