using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests;

// The native crash of docs/native-crash.md: a temporary tensor finalized while libtorch still read it. These fail
// without the keep-alive scope the tensor thread puts around every item (the second one by crashing the test host
// with SIGSEGV in c10::intrusive_ptr<TensorImpl>::retain_, within about a second, as the engine did).
[Collection(GcPressureCollection.Name)]
public sealed class TensorKeepAliveTests
{
    private static readonly TorchThread Torch = TorchThread.Shared;

    [Fact]
    public void Every_tensor_an_item_of_the_tensor_thread_creates_is_held_by_a_scope()
    {
        var (outsideBefore, outsideAfter, active) = Torch.Invoke(() =>
        {
            long before = DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
            var stored = randn(8, 8);
            var target = zeros(8, 8);
            target.copy_(stored.to(ScalarType.Float32));
            _ = stored.exp().sum().item<float>();
            return (before, DisposeScopeManager.Statistics.CreatedOutsideScopeCount, TensorKeepAlive.IsActive);
        });
        Assert.True(active);
        Assert.Equal(outsideBefore, outsideAfter);
    }

    [Fact]
    public void Unscoped_temporaries_on_the_tensor_thread_survive_a_collector_running_flat_out()
    {
        using var stored = randn(256, 256, generator: new Generator(11));
        float expected = stored.exp().sum().item<float>();
        int collectionsBefore = GcPressure.Collections;
        var (iterations, sums, copied) = Torch.Invoke(() => CopyAndSumUnscoped(stored, TimeSpan.FromSeconds(3)));
        Assert.True(GcPressure.Collections - collectionsBefore > 10, "the collector did not run: the test proves nothing");
        Assert.True(iterations > 100);
        Assert.Equal([expected], sums);
        Assert.True(copied);
    }

    // The engine's pattern before the fix (PolicyCheckpoint.CopyInto): temporaries nothing else references. Optimized
    // from the first call, as the engine's hot code is after tiering: unoptimized code keeps every temporary alive to the
    // end of the method and would hide the bug.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (long Iterations, HashSet<float> Sums, bool Copied) CopyAndSumUnscoped(Tensor stored, TimeSpan duration)
    {
        using var pressure = new GcPressure();
        var target = zeros(256, 256);
        var until = DateTime.UtcNow + duration;
        long n = 0;
        var seen = new HashSet<float>();
        while (DateTime.UtcNow < until)
        {
            target.copy_(stored.to(ScalarType.Float32));
            seen.Add(stored.exp().sum().item<float>());
            n++;
        }
        return (n, seen, target.eq(stored).all().item<bool>());
    }

    [Fact]
    public void What_an_item_leaves_behind_is_detached_not_disposed()
    {
        var result = Torch.Invoke(() => ones(3) * 2);
        using (result)
        {
            Assert.False(result.IsInvalid);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.Equal(6f, result.sum().item<float>());
        }
    }

    [Fact]
    public void A_scope_of_the_work_still_disposes_its_own_temporaries()
    {
        var (disposed, active) = Torch.Invoke(() =>
        {
            Tensor temporary;
            using (NewDisposeScope()) temporary = ones(4) + 1;
            return (temporary.IsInvalid, TensorKeepAlive.IsActive);
        });
        Assert.True(disposed);
        Assert.True(active);
    }

    [Fact]
    public void Run_counts_the_tensors_its_work_left_loose_and_nests_inline()
    {
        int loose = TensorKeepAlive.Run(() =>
        {
            var a = ones(2);
            var b = TensorKeepAlive.Run(() => a + 1);   // nested: the same scope
            _ = b * 3;
            return 0;
        });
        Assert.Equal(0, loose);
        Assert.Equal(3, TensorKeepAlive.LastLooseTensors);
        Assert.False(TensorKeepAlive.IsActive);
    }
}
