using System.Diagnostics;
using System.Globalization;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Kernels;
using DeepSeekR1.Actors.Model.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// One measurement of <c>r1 bench logprobs</c>, run in a child process of its own (<c>r1 bench logprobs-child</c>) so that
/// its peak memory is its own: random hidden states [tokens, hidden], head weight [vocab, hidden] and targets, then one
/// forward + backward of the learner's per-token log-probs and entropies (loss = sum(g * log p)) through either the
/// TorchSharp chunked path or the fused kernel. The peak is measured, not computed: the kernel's resident-set
/// high-water mark (VmHWM, /proc/self/status) after the step, less the resident set just before it, with the mark
/// reset in between (writing 5 to /proc/self/clear_refs), so inputs, the runtime and libtorch are not counted. The head
/// weight's .grad exists before the step (zeroed), as in a learner step after the first.
/// </summary>
public static class LogProbsMeasurement
{
    /// <summary>The two paths compared.</summary>
    public static readonly string[] Paths = ["reference", "fused"];

    /// <summary>Runs one path at one size, writes its outputs under <paramref name="outDir"/> and returns its figures.</summary>
    public static Dictionary<string, object> Run(string path, long vocab, long hidden, long tokens, double temperature, string outDir)
    {
        if (!Paths.Contains(path)) throw new ArgumentException($"--path must be reference or fused, not '{path}'");
        return TensorKeepAlive.Run(() =>
        {
            // Warm-up at a small size: OpenMP's team, libtorch's first calls and the JIT are not part of the measurement.
            using (NewDisposeScope()) Step(path, Inputs(Math.Min(vocab, 1_000), hidden, Math.Min(tokens, 64)), temperature);

            using var scope = NewDisposeScope();
            var inputs = Inputs(vocab, hidden, tokens);
            long before = StatusBytes("VmRSS");
            bool reset = ResetPeak();
            var clock = Stopwatch.StartNew();
            var (logProbs, entropy) = Step(path, inputs, temperature);
            double seconds = clock.Elapsed.TotalSeconds;
            long peak = StatusBytes("VmHWM");

            Directory.CreateDirectory(outDir);
            Write(Path.Combine(outDir, $"{path}.logprobs.bin"), logProbs);
            Write(Path.Combine(outDir, $"{path}.entropy.bin"), entropy);
            Write(Path.Combine(outDir, $"{path}.grad_hidden.bin"), inputs.Hidden.grad!);
            Write(Path.Combine(outDir, $"{path}.grad_weight.bin"), inputs.Weight.grad!);
            return new Dictionary<string, object>
            {
                ["path"] = path,
                ["seconds"] = seconds,
                ["peak_bytes"] = Math.Max(0, peak - before),
                ["rss_before_bytes"] = before,
                ["peak_reset"] = reset,
            };
        });
    }

    private sealed record StepInputs(Tensor Hidden, Tensor Weight, Tensor Targets, Tensor Upstream);

    // Created in place (no temporaries), on fixed seeds: both paths of one size see the same numbers.
    private static StepInputs Inputs(long vocab, long hidden, long tokens)
    {
        using var generator = new Generator(1234);
        var x = empty([tokens, hidden]).normal_(0, 1, generator).requires_grad_();
        var w = empty([vocab, hidden]).normal_(0, 0.02, generator).requires_grad_();
        // The weight's gradient buffer exists, zeroed, as in every learner step after the first (optimizer.zero_grad()
        // keeps it): neither path is charged for creating it; both are for any other [vocab, hidden] tensor.
        w.grad = zeros_like(w);
        var targets = randint(vocab, [tokens], generator: generator);
        var upstream = empty([tokens]).normal_(0, 1, generator);
        return new StepInputs(x, w, targets, upstream);
    }

    private static (Tensor LogProbs, Tensor Entropy) Step(string path, StepInputs inputs, double temperature)
    {
        Tensor lp, ent;
        if (path == "fused")
        {
            using var mode = KernelRuntime.Use(KernelMode.Native);
            (lp, ent) = FusedLinearLogProbs.Apply(inputs.Hidden, inputs.Weight, inputs.Targets, temperature);
        }
        else
        {
            using var mode = KernelRuntime.Use(KernelMode.Torch);
            var weight = inputs.Weight;
            var (l, e) = TokenLogProbs.Chunked(h => nn.functional.linear(h, weight), inputs.Hidden, inputs.Targets, temperature, withEntropy: true);
            (lp, ent) = (l, e!);
        }
        (lp * inputs.Upstream).sum().backward();
        return (lp.detach(), ent);
    }

    private static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A "kB" line of /proc/self/status (VmRSS, VmHWM) in bytes.</summary>
    public static long StatusBytes(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {field} line");
    }

    private static void Write(string file, Tensor tensor)
    {
        using var t = tensor.detach().contiguous();
        float[] values = t.data<float>().ToArray();
        using var stream = File.Create(file);
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
