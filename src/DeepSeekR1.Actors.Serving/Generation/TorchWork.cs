using DeepSeekR1.Actors.Model;

namespace DeepSeekR1.Actors.Serving.Generation;

/// <summary>Hands tensor work to the tensor thread and lets an async caller await it without blocking a thread.</summary>
public static class TorchWork
{
    /// <summary>
    /// Runs <paramref name="work"/> on <paramref name="thread"/> (synchronously there, in one piece: no await in tensor
    /// code) and completes the returned task with its result. Continuations run on the thread pool, never on the tensor
    /// thread, so an awaiting request handler cannot stall generation.
    /// </summary>
    public static Task<T> RunAsync<T>(TorchThread thread, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        thread.Post(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }
}
