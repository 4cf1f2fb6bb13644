using System.Diagnostics;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench attention</c>: rollout generation with multi-head latent attention against grouped-query attention of
/// the same width. Two random policies of the configured shape (hocon/model-tiny-mla.conf unless --config gives
/// another), one with <c>attention = mla</c> and one with <c>gqa</c> (num-kv-heads heads of hidden / heads), generate
/// the same batch (r1.bench.roofline-batch prompts of r1.bench.prompt-tokens random tokens, r1.bench.new-tokens new
/// ones, no stop token). Runs alternate between the two, so both see the same machine, and the best of
/// r1.bench.repeats is kept for each. Reported with the KV cache's bytes per token and its size for the whole batch.
/// </summary>
public static class AttentionBenchmark
{
    /// <summary>Runs the benchmark and returns its JSON fields.</summary>
    public static Dictionary<string, object> Run(R1Config config, PolicyRuntime runtime, BenchSettings bench, SamplingOptions sampling)
    {
        using var mla = PolicyFactory.CreateRandom(config, runtime);
        if (!mla.Config.IsLatentAttention)
            throw new ConfigException("r1.model.attention: r1 bench attention compares latent attention with GQA, so the shape must have attention = \"mla\" (hocon/model-tiny-mla.conf)");
        using var gqa = new PolicyModel(mla.Config with { Attention = AttentionKind.Gqa }, runtime.Device, config.GetLong("r1.seed"));
        mla.eval();
        gqa.eval();
        var options = sampling with { MaxNewTokens = bench.NewTokens, Temperature = 1.0, TopP = 1.0, TopK = 0, StopTokenIds = [] };
        var requests = Requests(bench.RooflineBatch, bench.PromptTokens, mla.Config.VocabSize);

        double Time(PolicyModel model)
        {
            var clock = Stopwatch.StartNew();
            PolicyGenerator.Generate(model, requests, options);
            return clock.Elapsed.TotalSeconds;
        }
        Time(mla);   // warm-up, both
        Time(gqa);
        double bestMla = double.MaxValue, bestGqa = double.MaxValue;
        for (int i = 0; i < bench.Repeats; i++)
        {
            bestMla = Math.Min(bestMla, Time(mla));
            bestGqa = Math.Min(bestGqa, Time(gqa));
        }

        var cacheDtype = options.KvCacheDtype == KvCacheDtype.Bfloat16 ? ScalarType.BFloat16 : mla.Decoder.Embeddings.weight!.dtype;
        long positions = (long)bench.RooflineBatch * (bench.PromptTokens + bench.NewTokens);
        double tokens = (double)bench.RooflineBatch * bench.NewTokens;
        return new Dictionary<string, object>
        {
            ["benchmark"] = "attention",
            ["batch"] = bench.RooflineBatch,
            ["prompt_tokens"] = bench.PromptTokens,
            ["new_tokens"] = bench.NewTokens,
            ["mla_tokens_per_s"] = Math.Round(tokens / bestMla, 1),
            ["gqa_tokens_per_s"] = Math.Round(tokens / bestGqa, 1),
            ["mla_over_gqa_speed"] = Math.Round(bestGqa / bestMla, 3),
            ["mla_kv_bytes_per_token"] = KvCache.BytesPerToken(mla.Config, cacheDtype),
            ["gqa_kv_bytes_per_token"] = KvCache.BytesPerToken(gqa.Config, cacheDtype),
            ["mla_kv_cache_mb"] = Math.Round(KvCache.BytesPerToken(mla.Config, cacheDtype) * positions / 1e6, 2),
            ["gqa_kv_cache_mb"] = Math.Round(KvCache.BytesPerToken(gqa.Config, cacheDtype) * positions / 1e6, 2),
            ["mla_active_params"] = mla.ActiveParameters(),
            ["gqa_active_params"] = gqa.ActiveParameters(),
            ["kv_cache_dtype"] = cacheDtype.ToString().ToLowerInvariant(),
            ["threads"] = get_num_threads(),
            ["device"] = mla.Device.ToString(),
        };
    }

    private static GenerationRequest[] Requests(int batch, int promptTokens, int vocab)
    {
        var rng = new SplitMix64(2024);
        return Enumerable.Range(0, batch)
            .Select(i => new GenerationRequest(Enumerable.Range(0, promptTokens).Select(_ => 3 + (int)(rng.Next() % (ulong)(vocab - 3))).ToArray(), (ulong)i))
            .ToArray();
    }
}
