using System.Diagnostics;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// The machine's practical matmul throughput: the best FLOP/s over a few large float32 square matmuls on the device.
/// This is the "peak" that roofline and MFU figures divide by, measured rather than taken from a datasheet.
/// </summary>
public static class MatmulPeak
{
    /// <summary>Measures, spending about <paramref name="secondsPerSize"/> on each size.</summary>
    public static double MeasureFlopsPerSecond(Device device, double secondsPerSize = 1.0)
    {
        double best = 0;
        foreach (int n in new[] { 512, 1024, 2048 })
        {
            using var scope = NewDisposeScope();
            var a = randn(n, n, device: device);
            var b = randn(n, n, device: device);
            a.matmul(b).Dispose();                       // warm-up: allocator, thread pool
            var clock = Stopwatch.StartNew();
            int iterations = 0;
            while (clock.Elapsed.TotalSeconds < secondsPerSize)
            {
                a.matmul(b).sum().item<float>();         // item() waits for the device
                iterations++;
            }
            best = Math.Max(best, 2.0 * n * n * n * iterations / clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
