using DeepSeekR1.Actors.Configuration;
using System.Diagnostics;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>Settings of <c>r1 bench</c> (HOCON section <c>r1.bench</c>).</summary>
public sealed record BenchSettings
{
    /// <summary>The shipped defaults (<c>r1.bench</c> in hocon/), the only place they live.</summary>
    public static BenchSettings Defaults => ShippedDefaults.Bind<BenchSettings>("r1.bench");

    /// <summary>New tokens per completion in the generation benchmark.</summary>
    public required int NewTokens { get; init; }
    /// <summary>Prompt length of the generation benchmark.</summary>
    public required int PromptTokens { get; init; }
    /// <summary>Batch of the KV-cache vs recompute comparison.</summary>
    public required int CompareBatch { get; init; }
    /// <summary>Batch of the roofline measurement.</summary>
    public required int RooflineBatch { get; init; }
    /// <summary>Sequences per learner step.</summary>
    public required int LearnerBatch { get; init; }
    /// <summary>Tokens per learner sequence.</summary>
    public required int LearnerSeq { get; init; }
    /// <summary>Timed repetitions after a warm-up.</summary>
    public required int Repeats { get; init; }
    /// <summary>GRPO steps each engine runs in the overhead benchmark.</summary>
    public required int OverheadSteps { get; init; }
    /// <summary>Untimed inline steps before the overhead benchmark's two timed runs.</summary>
    public required int OverheadWarmupSteps { get; init; }
    /// <summary>GRPO steps of each run in the asynchronous-rollouts benchmark.</summary>
    public required int AsyncSteps { get; init; }
    /// <summary>The modes it compares, "STALENESSxTHREADS".</summary>
    public required IReadOnlyList<string> AsyncModes { get; init; }
    /// <summary>Vocabulary sizes of the fused log-probs benchmark.</summary>
    public required IReadOnlyList<int> LogprobsVocab { get; init; }
    /// <summary>Token counts of the fused log-probs benchmark.</summary>
    public required IReadOnlyList<int> LogprobsTokens { get; init; }
    /// <summary>Hidden size of the fused log-probs benchmark.</summary>
    public required int LogprobsHidden { get; init; }
    /// <summary>Checkpoint of the speculative-decoding benchmark ("" = a random policy of r1.model's shape).</summary>
    public required string SpeculativeCheckpoint { get; init; }
    /// <summary>Held-out arithmetic prompts the speculative-decoding benchmark completes.</summary>
    public required int SpeculativePrompts { get; init; }
}

/// <summary>
/// <c>r1 bench generate</c>: rollout throughput with the KV cache against recomputing the whole sequence for every new
/// token (same model, batch and length), and the KV-cache throughput at a large batch as a fraction of the roofline
/// (measured matmul FLOP/s divided by the 2 x active-parameter FLOPs each token costs).
/// </summary>
public static class GenerateBenchmark
{
    /// <summary>
    /// Runs the benchmark and returns its JSON fields. <paramref name="sampling"/> (r1.sampling) gives the KV cache's
    /// settings; the benchmark's own length, temperature 1 and no stop tokens replace the rest.
    /// </summary>
    public static Dictionary<string, object> Run(PolicyModel model, BenchSettings settings, SamplingOptions? sampling = null)
    {
        model.eval();
        var options = (sampling ?? SamplingOptions.Defaults) with
        {
            MaxNewTokens = settings.NewTokens, Temperature = 1.0, TopP = 1.0, TopK = 0, StopTokenIds = [],
        };
        var kvCache = options.KvCacheDtype;
        double peak = MatmulPeak.MeasureFlopsPerSecond(model.Device);
        long active = model.ActiveParameters();

        double kv = Best(settings.Repeats, () => TimeKvCache(model, Requests(settings.CompareBatch, settings.PromptTokens, model.Config.VocabSize), options));
        double recompute = Best(1, () => TimeRecompute(model, Requests(settings.CompareBatch, settings.PromptTokens, model.Config.VocabSize), options));
        double kvLarge = Best(settings.Repeats, () => TimeKvCache(model, Requests(settings.RooflineBatch, settings.PromptTokens, model.Config.VocabSize), options));
        // The peak again, right after the timed generation: on a shared machine the load changes over minutes, and the
        // larger of the two measurements keeps the fraction from looking better than it is.
        peak = Math.Max(peak, MatmulPeak.MeasureFlopsPerSecond(model.Device));

        double tokens = (double)settings.CompareBatch * settings.NewTokens;
        double roofline = peak / (2.0 * active);
        double largeRate = settings.RooflineBatch * (double)settings.NewTokens / kvLarge;
        return new Dictionary<string, object>
        {
            ["benchmark"] = "generate",
            ["batch"] = settings.CompareBatch,
            ["new_tokens"] = settings.NewTokens,
            ["prompt_tokens"] = settings.PromptTokens,
            ["kv_cache_tokens_per_s"] = Math.Round(tokens / kv, 1),
            ["recompute_tokens_per_s"] = Math.Round(tokens / recompute, 1),
            ["kv_speedup"] = Math.Round(recompute / kv, 2),
            ["roofline_batch"] = settings.RooflineBatch,
            ["roofline_batch_tokens_per_s"] = Math.Round(largeRate, 1),
            ["roofline_tokens_per_s"] = Math.Round(roofline, 1),
            ["roofline_fraction"] = Math.Round(largeRate / roofline, 3),
            ["matmul_gflops"] = Math.Round(peak / 1e9, 2),
            ["active_params"] = active,
            ["threads"] = get_num_threads(),
            ["kv_cache_dtype"] = kvCache == KvCacheDtype.Bfloat16 ? "bfloat16" : model.Decoder.Embeddings.weight!.dtype.ToString().ToLowerInvariant(),
            ["keep_kv_cache"] = options.KeepKvCache,
            ["device"] = model.Device.ToString(),
        };
    }

    private static GenerationRequest[] Requests(int batch, int promptTokens, int vocab)
    {
        var rng = new SplitMix64(2024);
        return Enumerable.Range(0, batch)
            .Select(i => new GenerationRequest(Enumerable.Range(0, promptTokens).Select(_ => 3 + (int)(rng.Next() % (ulong)(vocab - 3))).ToArray(), (ulong)i))
            .ToArray();
    }

    private static double Best(int repeats, Func<double> run)
    {
        run();                                                   // warm-up
        return Enumerable.Range(0, repeats).Min(_ => run());
    }

    private static double TimeKvCache(PolicyModel model, GenerationRequest[] requests, SamplingOptions options)
    {
        var clock = Stopwatch.StartNew();
        PolicyGenerator.Generate(model, requests, options);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The baseline: every new token runs the model over the whole sequence so far, with no cache.</summary>
    private static double TimeRecompute(PolicyModel model, GenerationRequest[] requests, SamplingOptions options)
    {
        var clock = Stopwatch.StartNew();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int batch = requests.Length;
        var ids = tensor(requests.SelectMany(r => r.PromptIds.Select(t => (long)t)).ToArray(), [batch, requests[0].PromptIds.Count], device: model.Device);
        var rngs = requests.Select(r => new SplitMix64(r.Seed)).ToArray();
        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var positions = arange(ids.shape[1], device: model.Device).unsqueeze(0).expand(batch, -1);
            var logits = model.Logits(model.Hidden(ids, positions).select(1, -1));
            var (next, _) = TokenSampler.Sample(logits, rngs.Select((_, i) => rngs[i].NextDouble()).ToArray(), options);
            var longer = cat([ids, next.unsqueeze(1)], 1).MoveToOuterDisposeScope();
            ids.Dispose();
            ids = longer;
        }
        return clock.Elapsed.TotalSeconds;
    }
}
