using System.Diagnostics;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench speculative</c>: tokens/s of generation with the multi-token prediction module drafting
/// (<see cref="SpeculativeGenerator"/>) against plain decoding of the same prompts, in one run, greedy and sampled.
/// The prompts are r1.bench.speculative-prompts held-out arithmetic questions in the R1-Zero template (what the tiny
/// base models were trained on), completed under r1.sampling's length and the model's end token. Speculation decodes
/// one row at a time, so the like-for-like baseline is plain decoding one row at a time; plain decoding of all the
/// prompts as one batch is reported beside it, as what a sampler does today. Each timing is the best of
/// r1.bench.repeats after a warm-up, the modes alternating so that a change of load hits them alike. Greedy outputs are
/// also compared token for token.
/// </summary>
public static class SpeculativeBenchmark
{
    /// <summary>Runs the benchmark on <paramref name="model"/> and returns its JSON fields.</summary>
    public static Dictionary<string, object> Run(PolicyModel model, IPolicyTokenizer tokenizer, BenchSettings settings, SamplingOptions sampling, string checkpoint)
    {
        if (model.Config.MtpLayers == 0)
            throw new NotSupportedException($"r1 bench speculative needs a model with multi-token prediction layers; {(checkpoint.Length == 0 ? "r1.model" : checkpoint)} has none (r1.model.mtp-layers = 0)");
        model.eval();
        var items = TaskCatalog.Get(TaskCatalog.Arithmetic).Items(TaskSplit.Test, 2024).Take(settings.SpeculativePrompts).ToArray();
        var requests = items.Select((item, i) => new GenerationRequest(PromptFormat.Encode(tokenizer, item), (ulong)(1000 + i))).ToArray();
        var stops = new[] { tokenizer.EosId, model.Config.EosTokenId }.Distinct().ToArray();
        var plain = sampling with { StopTokenIds = stops, Speculative = SpeculativeDecoding.Off };

        var fields = new Dictionary<string, object>
        {
            ["benchmark"] = "speculative",
            ["checkpoint"] = checkpoint.Length == 0 ? "random r1.model" : checkpoint,
            ["prompts"] = requests.Length,
            ["max_new_tokens"] = plain.MaxNewTokens,
        };
        foreach (var (mode, temperature) in new[] { ("greedy", 0.0), ("sampled", sampling.Temperature) })
        {
            var off = plain with { Temperature = temperature };
            var on = off with { Speculative = SpeculativeDecoding.Mtp };
            IReadOnlyList<GenerationResult>? offResults = null, onResults = null;
            SpeculativeStatistics? stats = null;
            double Rows(SamplingOptions options) => Time(() => offResults = requests.SelectMany(r => PolicyGenerator.Generate(model, [r], options)).ToArray());
            double Speculate() => Time(() => (onResults, stats) = SpeculativeGenerator.Generate(model, requests, on));
            double Batched() => Time(() => PolicyGenerator.Generate(model, requests, off));

            Rows(off); Speculate(); Batched();   // warm-up
            double rows = double.MaxValue, speculative = double.MaxValue, batched = double.MaxValue;
            for (int i = 0; i < settings.Repeats; i++)
            {
                rows = Math.Min(rows, Rows(off));
                speculative = Math.Min(speculative, Speculate());
                batched = Math.Min(batched, Batched());
            }
            long offTokens = offResults!.Sum(r => r.TokenIds.Count), onTokens = onResults!.Sum(r => r.TokenIds.Count);
            fields[$"{mode}_temperature"] = temperature;
            fields[$"{mode}_acceptance_rate"] = Math.Round(stats!.AcceptanceRate, 3);
            fields[$"{mode}_tokens_per_main_pass"] = Math.Round((double)stats.Tokens / stats.MainPasses, 3);
            fields[$"{mode}_plain_tokens_per_s"] = Math.Round(offTokens / rows, 1);
            fields[$"{mode}_speculative_tokens_per_s"] = Math.Round(onTokens / speculative, 1);
            fields[$"{mode}_speedup"] = Math.Round(onTokens / speculative / (offTokens / rows), 3);
            fields[$"{mode}_plain_batched_tokens_per_s"] = Math.Round(offTokens / batched, 1);
            // Where a speculative step's time goes, against a plain step's (one token per main pass, row by row).
            fields[$"{mode}_plain_ms_per_pass"] = Math.Round(1000 * rows / offTokens, 3);
            fields[$"{mode}_draft_ms_per_pass"] = Math.Round(1000 * stats.DraftSeconds / stats.Drafted, 3);
            fields[$"{mode}_verify_ms_per_pass"] = Math.Round(1000 * stats.VerifySeconds / stats.Drafted, 3);
            if (temperature == 0)
                fields["greedy_identical"] = offResults!.Zip(onResults!, (a, b) => a.TokenIds.SequenceEqual(b.TokenIds)).All(same => same);
        }
        fields["threads"] = get_num_threads();
        fields["device"] = model.Device.ToString();
        return fields;
    }

    private static double Time(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalSeconds;
    }
}
