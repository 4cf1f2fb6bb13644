using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests;

// The second half of docs/native-crash.md: TorchSharp makes a Scalar from a .NET number implicitly (t.mul_(0.5)),
// passes its handle to libtorch and lets it die; a collection on another thread then frees it mid-call ("INTERNAL ASSERT
// FAILED at c10/core/Scalar.h", or a crash). Dispose scopes do not hold scalars. The build patches TorchSharp so that
// every method keeps its tensor and scalar arguments alive until it returns (src/DeepSeekR1.Actors.BuildTools,
// KeepAlivePatcher); without it the second test fails within about a second.
[Collection(GcPressureCollection.Name)]
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void The_TorchSharp_this_process_loaded_is_the_patched_copy()
    {
        Assert.NotNull(typeof(TorchSharp.torch).Assembly.GetType("R1KeepAlivePatched"));
    }

    [Fact]
    public void Implicit_scalars_survive_a_collector_running_flat_out()
    {
        using var t = ones(16);
        int collectionsBefore = GcPressure.Collections;
        long iterations = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (new GcPressure())
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                // Each call makes its Scalar inside the call expression: nothing but the patch keeps it alive.
                t.mul_(2.0);
                t.add_(t, -0.5);
                t.mul_(4.0);
                t.mul_(0.25);
                iterations++;
            }
        Assert.True(GcPressure.Collections - collectionsBefore > 10, "the collector did not run: the test proves nothing");
        Assert.True(iterations > 1000);
        // x2, x(1 - 0.5), x4, x0.25: powers of two, so a freed scalar read as garbage would show here too.
        Assert.Equal(1.0f, t.max().item<float>());
        Assert.Equal(1.0f, t.min().item<float>());
    }
}
