using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using DeepSeekR1.Actors.Model.Kernels;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench logprobs</c>: the learner's per-token log-probs + entropy, forward and backward, through the TorchSharp
/// chunked path (the reference, which autograd makes hold [tokens, vocab] logits) and through the fused kernel of
/// kernels/, at each vocabulary x token count of r1.bench.logprobs-*. Each path runs in a child process of its own
/// (<see cref="LogProbsMeasurement"/>), which reports its measured peak memory and time and writes its outputs; this
/// process compares the outputs and prints one JSON line per size. A reference that would not fit in the memory
/// available is not started; its line says so.
/// </summary>
public static class LogProbsBenchmark
{
    /// <summary>Runs every size, printing each line as soon as it is measured.</summary>
    public static void Run(BenchSettings settings, IReadOnlyList<string> sharedArgs, TextWriter output)
    {
        if (!KernelRuntime.IsLoaded)
            throw new NotSupportedException($"r1 bench logprobs needs the native kernels: {KernelRuntime.Describe()}");
        foreach (int vocab in settings.LogprobsVocab)
            foreach (int tokens in settings.LogprobsTokens)
            {
                output.WriteLine(JsonSerializer.Serialize(Size(vocab, settings.LogprobsHidden, tokens, sharedArgs), HumanJson.Compact));
                output.Flush();
            }
    }

    private static Dictionary<string, object?> Size(long vocab, long hidden, long tokens, IReadOnlyList<string> sharedArgs)
    {
        string work = Path.Combine(Path.GetTempPath(), $"r1-bench-logprobs-{Environment.ProcessId}-{vocab}-{tokens}");
        try
        {
            var line = new Dictionary<string, object?>
            {
                ["benchmark"] = "logprobs",
                ["vocab"] = vocab,
                ["hidden"] = hidden,
                ["tokens"] = tokens,
            };
            var fused = Child("fused", vocab, hidden, tokens, work, sharedArgs);
            // The reference holds the logits, the temperature-scaled copy and their gradient: about three [tokens, vocab]
            // float32 tensors at its peak, on top of the weight gradient.
            long referenceNeed = 3 * tokens * vocab * sizeof(float) + vocab * hidden * sizeof(float);
            long available = AvailableBytes();
            Dictionary<string, object>? reference = null;
            if (referenceNeed > available * 9 / 10)
                line["reference_skipped"] = $"needs about {referenceNeed / 1e9:0.0} GB, {available / 1e9:0.0} GB available";
            else
                reference = Child("reference", vocab, hidden, tokens, work, sharedArgs);

            double fusedSeconds = Convert.ToDouble(fused["seconds"], CultureInfo.InvariantCulture);
            long fusedPeak = Convert.ToInt64(fused["peak_bytes"], CultureInfo.InvariantCulture);
            line["reference_peak_bytes"] = reference is null ? null : Convert.ToInt64(reference["peak_bytes"], CultureInfo.InvariantCulture);
            line["fused_peak_bytes"] = fusedPeak;
            line["memory_ratio"] = reference is null ? null : Math.Round(Convert.ToDouble(reference["peak_bytes"], CultureInfo.InvariantCulture) / Math.Max(1, fusedPeak), 2);
            line["reference_seconds"] = reference?["seconds"];
            line["fused_seconds"] = fusedSeconds;
            line["time_ratio"] = reference is null ? null : Math.Round(fusedSeconds / Convert.ToDouble(reference["seconds"], CultureInfo.InvariantCulture), 3);
            line["max_rel_error"] = reference is null ? null : MaxRelativeError(work);
            line["peak_measure"] = "VmHWM of the child process after forward+backward, less its VmRSS before (inputs and the head weight's existing .grad excluded)";
            line["weight_grad_bytes"] = vocab * hidden * sizeof(float);
            line["threads"] = TorchSharp.torch.get_num_threads();
            line["kernels"] = KernelRuntime.Describe();
            return line;
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    // max over log-probs, entropies and both gradients of max |fused - reference| / max |reference|.
    private static double MaxRelativeError(string work)
    {
        double worst = 0;
        foreach (var name in new[] { "logprobs", "entropy", "grad_hidden", "grad_weight" })
        {
            using var a = File.OpenRead(Path.Combine(work, $"fused.{name}.bin"));
            using var b = File.OpenRead(Path.Combine(work, $"reference.{name}.bin"));
            if (a.Length != b.Length) throw new InvalidOperationException($"{name}: the two paths wrote {a.Length} and {b.Length} bytes");
            var bufA = new byte[1 << 22];
            var bufB = new byte[1 << 22];
            double diff = 0, scale = 0;
            int read;
            while ((read = a.Read(bufA)) > 0)
            {
                b.ReadExactly(bufB.AsSpan(0, read));
                var fa = MemoryMarshal.Cast<byte, float>(bufA.AsSpan(0, read));
                var fb = MemoryMarshal.Cast<byte, float>(bufB.AsSpan(0, read));
                for (int i = 0; i < fa.Length; i++)
                {
                    diff = Math.Max(diff, Math.Abs((double)fa[i] - fb[i]));
                    scale = Math.Max(scale, Math.Abs((double)fb[i]));
                }
            }
            worst = Math.Max(worst, scale == 0 ? diff : diff / scale);
        }
        return worst;
    }

    private static Dictionary<string, object> Child(string path, long vocab, long hidden, long tokens, string work, IReadOnlyList<string> sharedArgs)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Through `dotnet r1.dll` when this process runs that way: the same build as this process.
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in new[]
                 {
                     "bench", "logprobs-child", "--path", path, "--vocab", vocab.ToString(CultureInfo.InvariantCulture),
                     "--hidden", hidden.ToString(CultureInfo.InvariantCulture), "--tokens", tokens.ToString(CultureInfo.InvariantCulture),
                     "--out", work,
                 })
            info.ArgumentList.Add(a);
        foreach (var a in sharedArgs) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start r1 bench logprobs-child");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (process.ExitCode != 0 || !last.StartsWith('{'))
            throw new InvalidOperationException(
                $"the {path} measurement at vocab {vocab}, tokens {tokens} failed (exit {process.ExitCode}" +
                (process.ExitCode == 137 ? ", killed: out of memory?" : "") + $"): {stderr.Result.Trim()} {last}");
        var parsed = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(last)!;
        return parsed.ToDictionary(p => p.Key, p => (object)(p.Value.ValueKind switch
        {
            JsonValueKind.Number => p.Value.GetDouble(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => p.Value.ToString(),
        }));
    }

    private static long AvailableBytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                return long.Parse(line["MemAvailable:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return long.MaxValue;
    }
}
