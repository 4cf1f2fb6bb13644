using System.Diagnostics;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench dtype</c>: what <c>r1.model.dtype = bfloat16</c> costs and saves against float32, on the same weights.
/// One random policy of the configured shape is built in float32 and again in bfloat16 from the same seed (the float32
/// weights rounded). Reported: the parameter bytes of each and their ratio; the largest and mean logit difference over
/// r1.bench.compare-batch sequences of r1.bench.prompt-tokens + r1.bench.new-tokens random tokens, and how often the
/// argmax agrees; greedy decoding of r1.bench.new-tokens tokens from each prompt by both (the share of positions with
/// the same token, and the mean length of the agreeing prefix); for a MoE shape (<c>--config hocon/model-tiny-moe.conf</c>)
/// how often both pick the same experts for a token in a MoE layer; and the seconds of one forward pass, of one
/// forward and backward pass (the learner's work without the optimizer) and of the greedy decode, best of
/// r1.bench.repeats with the two dtypes alternating, as bfloat16 / float32 speed ratios.
/// </summary>
public static class DtypeBenchmark
{
    /// <summary>Runs the benchmark and returns its JSON fields.</summary>
    public static Dictionary<string, object> Run(R1Config config, PolicyRuntime runtime, BenchSettings bench, SamplingOptions sampling)
    {
        var shape = PolicyFactory.ModelConfigFor(config, runtime.Tokenizer);
        long seed = config.GetLong("r1.seed");
        using var wide = new PolicyModel(shape with { Dtype = ModelDtype.Float32 }, runtime.Device, seed);
        using var low = new PolicyModel(shape with { Dtype = ModelDtype.Bfloat16 }, runtime.Device, seed);
        wide.eval();
        low.eval();
        long Bytes(PolicyModel m) => m.parameters().Sum(p => p.numel() * p.ElementSize);

        int rows = bench.CompareBatch, length = bench.PromptTokens + bench.NewTokens;
        var rng = new SplitMix64(2024);
        long[] Random(int count) => Enumerable.Range(0, count).Select(_ => 3 + (long)(rng.Next() % (ulong)(shape.VocabSize - 3))).ToArray();
        var sequences = Enumerable.Range(0, rows).Select(_ => Random(length)).ToArray();

        // Logits of both on the same sequences, and the experts each MoE layer picked for every token.
        double maxDiff, meanDiff, maxLogit, argmaxAgree, maxDiffSameExperts = 0;
        int choices = 0, sameChoices = 0;
        var routers = wide.MoeLayers.Zip(low.MoeLayers, (w, l) => (Wide: w.Router, Low: l.Router)).ToList();
        foreach (var (w, l) in routers) w.KeepChoices = l.KeepChoices = true;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var ids = tensor(sequences.SelectMany(s => s).ToArray(), [rows, length], device: runtime.Device);
            var positions = arange(length, device: runtime.Device).unsqueeze(0).expand(rows, length);
            var a = wide.Forward(ids, positions);
            var b = low.Forward(ids, positions).to_type(ScalarType.Float32);
            var diff = (b - a).abs();
            maxDiff = diff.max().item<float>();
            meanDiff = diff.mean().item<float>();
            maxLogit = a.abs().max().item<float>();
            argmaxAgree = a.argmax(-1).eq(b.argmax(-1)).to_type(ScalarType.Float32).mean().item<float>();
            var everyLayerAgrees = new bool[rows * length];
            Array.Fill(everyLayerAgrees, true);
            foreach (var (w, l) in routers)
                for (int t = 0; t < w.LastChoices.Length; t++, choices++)
                    if (w.LastChoices[t].Order().SequenceEqual(l.LastChoices[t].Order())) sameChoices++;
                    else everyLayerAgrees[t] = false;
            // The logit difference where no MoE layer picked other experts: bfloat16 rounding alone, without a flipped choice.
            if (routers.Count > 0)
                maxDiffSameExperts = diff.reshape(rows * length, -1).max(-1).values.masked_select(tensor(everyLayerAgrees, device: runtime.Device))
                    .max().item<float>();
        }
        foreach (var (w, l) in routers) w.KeepChoices = l.KeepChoices = false;

        // Greedy decoding from the prompts (the first prompt-tokens of each sequence), no stop token.
        var requests = sequences.Select((s, i) => new GenerationRequest(s.Take(bench.PromptTokens).Select(t => (int)t).ToArray(), (ulong)i)).ToArray();
        var greedy = sampling with { MaxNewTokens = bench.NewTokens, Temperature = 0, TopP = 1.0, TopK = 0, StopTokenIds = [] };
        var decodedWide = PolicyGenerator.Generate(wide, requests, greedy);
        var decodedLow = PolicyGenerator.Generate(low, requests, greedy);
        int same = 0, total = 0;
        double prefix = 0;
        for (int r = 0; r < rows; r++)
        {
            var x = decodedWide[r].TokenIds;
            var y = decodedLow[r].TokenIds;
            int n = Math.Min(x.Count, y.Count);
            for (int t = 0; t < n; t++) if (x[t] == y[t]) same++;
            total += Math.Max(x.Count, y.Count);
            int p = 0;
            while (p < n && x[p] == y[p]) p++;
            prefix += p;
        }

        // Speed: a forward pass over the batch, and the greedy decode, alternating dtypes; best of the repeats.
        double Forward(PolicyModel model)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var ids = tensor(sequences.SelectMany(s => s).ToArray(), [rows, length], device: runtime.Device);
            var positions = arange(length, device: runtime.Device).unsqueeze(0).expand(rows, length);
            var clock = Stopwatch.StartNew();
            model.Forward(ids, positions).Dispose();
            return clock.Elapsed.TotalSeconds;
        }
        // The learner's pass without the optimizer: forward in training mode, the next-token loss in float32, backward.
        double ForwardBackward(PolicyModel model)
        {
            using var scope = NewDisposeScope();
            var ids = tensor(sequences.SelectMany(s => s).ToArray(), [rows, length], device: runtime.Device);
            var positions = arange(length, device: runtime.Device).unsqueeze(0).expand(rows, length);
            model.train();
            var clock = Stopwatch.StartNew();
            var logits = model.Forward(ids.narrow(1, 0, length - 1), positions.narrow(1, 0, length - 1)).to_type(ScalarType.Float32);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), ids.narrow(1, 1, length - 1).reshape(-1));
            loss.backward();
            double seconds = clock.Elapsed.TotalSeconds;
            model.eval();
            model.zero_grad();
            model.ForgetRouterLoad();
            return seconds;
        }
        double Decode(PolicyModel model)
        {
            var clock = Stopwatch.StartNew();
            PolicyGenerator.Generate(model, requests, greedy);
            return clock.Elapsed.TotalSeconds;
        }
        Forward(wide);   // warm-up
        Forward(low);
        double forwardWide = double.MaxValue, forwardLow = double.MaxValue, decodeWide = double.MaxValue, decodeLow = double.MaxValue;
        double trainWide = double.MaxValue, trainLow = double.MaxValue;
        for (int i = 0; i < bench.Repeats; i++)
        {
            forwardWide = Math.Min(forwardWide, Forward(wide));
            forwardLow = Math.Min(forwardLow, Forward(low));
            trainWide = Math.Min(trainWide, ForwardBackward(wide));
            trainLow = Math.Min(trainLow, ForwardBackward(low));
            decodeWide = Math.Min(decodeWide, Decode(wide));
            decodeLow = Math.Min(decodeLow, Decode(low));
        }

        var result = new Dictionary<string, object>
        {
            ["benchmark"] = "dtype",
            ["params"] = wide.parameters().Sum(p => p.numel()),
            ["param_bytes_float32"] = Bytes(wide),
            ["param_bytes_bfloat16"] = Bytes(low),
            ["param_bytes_ratio"] = Math.Round((double)Bytes(low) / Bytes(wide), 4),
            ["sequences"] = rows,
            ["tokens_per_sequence"] = length,
            ["max_abs_logit_diff"] = Math.Round(maxDiff, 5),
            ["mean_abs_logit_diff"] = Math.Round(meanDiff, 6),
            ["max_abs_logit_float32"] = Math.Round(maxLogit, 4),
            ["argmax_agreement"] = Math.Round(argmaxAgree, 4),
            ["greedy_new_tokens"] = bench.NewTokens,
            ["greedy_token_agreement"] = Math.Round(total == 0 ? 1.0 : (double)same / total, 4),
            ["greedy_mean_agreeing_prefix"] = Math.Round(prefix / rows, 1),
            ["forward_s_float32"] = Math.Round(forwardWide, 4),
            ["forward_s_bfloat16"] = Math.Round(forwardLow, 4),
            ["forward_speed_bfloat16_over_float32"] = Math.Round(forwardWide / forwardLow, 3),
            ["forward_backward_s_float32"] = Math.Round(trainWide, 4),
            ["forward_backward_s_bfloat16"] = Math.Round(trainLow, 4),
            ["forward_backward_speed_bfloat16_over_float32"] = Math.Round(trainWide / trainLow, 3),
            ["decode_tokens_per_s_float32"] = Math.Round(rows * bench.NewTokens / decodeWide, 1),
            ["decode_tokens_per_s_bfloat16"] = Math.Round(rows * bench.NewTokens / decodeLow, 1),
            ["decode_speed_bfloat16_over_float32"] = Math.Round(decodeWide / decodeLow, 3),
            ["threads"] = get_num_threads(),
            ["device"] = wide.Device.ToString(),
        };
        if (routers.Count > 0)
        {
            // Token-layers where both models chose the same set of experts (routing is float32 in both: only the bfloat16
            // activations reaching the router can move a choice, and only where two experts' scores nearly tie).
            result["moe_layers"] = routers.Count;
            result["expert_choice_agreement"] = Math.Round((double)sameChoices / choices, 4);
            result["max_abs_logit_diff_same_experts"] = Math.Round(maxDiffSameExperts, 5);
        }
        return result;
    }
}
