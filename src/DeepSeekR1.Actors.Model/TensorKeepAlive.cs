using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model;

/// <summary>
/// Keeps every tensor that a piece of work creates reachable until the work returns, so that the garbage collector
/// cannot finalize one while libtorch is still using it.
/// </summary>
/// <remarks>
/// The crash this prevents (docs/native-crash.md): a TorchSharp <c>Tensor</c> owns a native handle and frees it in its
/// finalizer. A method such as <c>a.to(dtype)</c> passes <c>this.Handle</c> to native code as a bare pointer, so once
/// the handle is read the JIT may treat the managed object as dead. A temporary that nothing else references
/// (<c>target.copy_(stored.to(dtype))</c>) can then be collected on another thread's GC, and the finalizer thread frees
/// the native <c>at::Tensor</c> while libtorch is still reading it: a segfault in
/// <c>c10::intrusive_ptr&lt;TensorImpl&gt;::retain_()</c> or a general protection fault in <c>TensorImpl::_fw_grad</c>,
/// after a GC that another thread (journal recovery, Akka) happened to trigger. A dispose scope holds a strong
/// reference to every tensor created while it is current, which closes the window.
/// This scope only keeps tensors alive; it does not dispose them. At the end, whatever the work left in it (tensors it
/// created outside a scope of its own: model parameters, returned results, leaked temporaries) is detached, exactly as
/// it would have been without the scope, and from then on only the finalizer can free what nothing references, at a
/// moment when no native call is using it.
/// </remarks>
public static class TensorKeepAlive
{
    [ThreadStatic] private static int depth;

    /// <summary>
    /// Tensors the last outermost <see cref="Run{T}"/> on this thread left loose: created outside any scope of the
    /// work's own. Model construction and returned results count here; a number that grows with the length of the
    /// work is a temporary leaked in a loop (a test checks the engine's hot paths stay flat).
    /// </summary>
    [ThreadStatic] public static int LastLooseTensors;

    /// <summary>True when the caller runs inside <see cref="Run{T}"/> on this thread.</summary>
    public static bool IsActive => depth > 0;

    /// <summary>Runs <paramref name="work"/> with every tensor it creates kept reachable until it returns.</summary>
    public static T Run<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (depth > 0) return work();
        var scope = NewDisposeScope();
        depth++;
        try
        {
            return work();
        }
        finally
        {
            depth--;
            var loose = scope.DisposablesView.ToArray();
            LastLooseTensors = loose.Length;
            scope.Detach(loose);
            scope.Dispose();
        }
    }

    /// <summary>Runs <paramref name="work"/> with every tensor it creates kept reachable until it returns.</summary>
    public static void Run(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run(() =>
        {
            work();
            return true;
        });
    }
}
