using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

// Every loop that reads tensor memory through a pointer, run many times on a thread with no dispose scope while the
// collector runs flat out: the temporaries each kernel makes (contiguous copies, its output) are reachable only through
// its own GC.KeepAlive calls, so a misplaced one frees memory under the loop and the result changes or the host crashes.
[Collection(GcPressureCollection.Name)]
public sealed class UnsafeKernelsUnderGcPressureTests
{
    private const int Iterations = 300;

    // Exact equality, every temporary held by a using so that only the kernel's own are at risk.
    private static bool Same(Tensor a, Tensor b)
    {
        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }

    private static void Repeat(Func<Tensor> kernel, Tensor expected)
    {
        using var pressure = new GcPressure();
        for (int i = 0; i < Iterations; i++)
        {
            using var actual = kernel();
            Assert.True(Same(actual, expected), $"iteration {i}: the kernel's output changed under GC pressure");
        }
    }

    [Fact]
    public void RmsNorm()
    {
        using var x = randn([16, 3, 96], generator: new Generator(1)).transpose(0, 1);   // not contiguous: copied inside
        using var weight = randn([96], generator: new Generator(2));
        using var expected = RowKernels.RmsNorm(x, weight, 1e-6);
        Repeat(() => RowKernels.RmsNorm(x, weight, 1e-6), expected);
    }

    [Fact]
    public void Silu_times_up()
    {
        using var gateUp = randn([5, 4, 2 * 88], generator: new Generator(3)).transpose(0, 1);
        using var expected = RowKernels.SiluTimesUp(gateUp);
        Repeat(() => RowKernels.SiluTimesUp(gateUp), expected);
    }

    [Fact]
    public void Rotate()
    {
        using var x = randn([2, 3, 10, 32], generator: new Generator(4)).narrow(2, 1, 8);
        using var cos = randn([2, 1, 3, 32], generator: new Generator(5)).transpose(1, 2);
        using var sin = randn([2, 1, 3, 32], generator: new Generator(6)).transpose(1, 2);
        using var expected = RowKernels.Rotate(x, cos, sin);
        Repeat(() => RowKernels.Rotate(x, cos, sin), expected);
    }

    [Fact]
    public void Decode_attention_over_a_bfloat16_cache_with_a_mask()
    {
        using var wide = randn([3, 1, 6, 64], generator: new Generator(7));
        using var q = wide.narrow(2, 1, 4).transpose(1, 2);
        using var k = randn([3, 2, 64, 40], generator: new Generator(8)).to_type(ScalarType.BFloat16).narrow(3, 0, 33).transpose(2, 3);
        using var v = randn([3, 2, 40, 64], generator: new Generator(9)).to_type(ScalarType.BFloat16).narrow(2, 0, 33);
        using var mask = ones([3, 1, 1, 33], ScalarType.Bool);
        mask[1, 0, 0, 0] = false;
        using var _ = no_grad();
        using var expected = DecodeAttention.Attend(q, k, v, mask, 4, 2, 64);
        Repeat(() => DecodeAttention.Attend(q, k, v, mask, 4, 2, 64), expected);
    }

    [Fact]
    public void Inverse_cdf_sampling()
    {
        using var logProbs = randn([32, 300], generator: new Generator(10)).log_softmax(-1);
        using var probs = logProbs.exp();
        var uniforms = Enumerable.Range(0, 32).Select(i => (i + 0.5) / 32).ToArray();
        var (expectedTokens, expectedLogProbs) = TokenSampler.InvertCdfOnCpu(logProbs, probs, uniforms);
        using (expectedTokens)
        using (expectedLogProbs)
        using (var pressure = new GcPressure())
            for (int i = 0; i < Iterations; i++)
            {
                // Fresh contiguous copies each time, as the sampler passes them: reachable only inside the call.
                var (tokens, chosen) = TokenSampler.InvertCdfOnCpu(logProbs.clone(), probs.clone(), uniforms);
                using (tokens)
                using (chosen)
                {
                    Assert.True(Same(tokens, expectedTokens), $"iteration {i}");
                    Assert.True(Same(chosen, expectedLogProbs), $"iteration {i}");
                }
            }
    }
}
