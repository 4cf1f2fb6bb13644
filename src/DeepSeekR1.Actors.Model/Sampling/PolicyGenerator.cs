using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Sampling;

/// <summary>
/// Batched autoregressive generation for rollouts. Prompts of different lengths are left-padded to a common length so
/// every row appends at the same cache slot; each row's positions start at 0 at its first real token. Keys and values
/// are cached, so each new token costs one position's work rather than a recompute of the whole sequence. Finished rows
/// leave the batch (their cache rows are dropped), so one long completion does not make the short ones pay.
/// With <see cref="SamplingOptions.Speculative"/> on, <see cref="SpeculativeGenerator"/> decodes instead.
/// Call on one thread, with no other use of the model at the same time.
/// </summary>
public static class PolicyGenerator
{
    /// <summary>Samples a completion for each request.</summary>
    /// <param name="model">The policy.</param>
    /// <param name="requests">The prompts, one row each.</param>
    /// <param name="options">How to sample.</param>
    /// <param name="onToken">
    /// Called with (request index, token id) as each token is sampled, on this thread, before the next decoding step:
    /// how a server streams a completion while the batch is still running. It must not touch the model.
    /// </param>
    public static IReadOnlyList<GenerationResult> Generate(PolicyModel model, IReadOnlyList<GenerationRequest> requests, SamplingOptions options,
        Action<int, int>? onToken = null)
    {
        options.Validate();
        if (options.Speculative == SpeculativeDecoding.Mtp) return SpeculativeGenerator.Generate(model, requests, options, onToken).Results;
        if (requests.Count == 0) return [];
        if (requests.Any(r => r.PromptIds.Count == 0)) throw new ArgumentException("every prompt needs at least one token", nameof(requests));
        var config = model.Config;
        int longest = requests.Max(r => r.PromptIds.Count);
        int maxPosition = longest + options.MaxNewTokens - 1;
        if (maxPosition >= config.ContextLength)
            throw new ArgumentException(
                $"prompt ({longest} tokens) + max-new-tokens ({options.MaxNewTokens}) exceeds the model's context ({config.ContextLength} positions)");

        var device = model.Device;
        int rows = requests.Count;
        var rngs = requests.Select(r => new SplitMix64(r.Seed)).ToArray();
        var tokens = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, rows).Select(_ => new List<float>()).ToArray();
        var finish = new FinishReason[rows];
        var stop = options.StopTokenIds.ToHashSet();

        using var noGrad = no_grad();
        using var fused = model.FuseProjections();
        using var outer = NewDisposeScope();
        var (ids, valid, positions) = LeftPad(requests, longest, config.PadTokenId, device);
        // Without padding every key is real: no validity mask to carry, extend and check at each step.
        bool padded = requests.Any(r => r.PromptIds.Count != longest);
        Tensor? keyValid = padded ? valid : null;
        var cacheDtype = options.KvCacheDtype == KvCacheDtype.Bfloat16 ? ScalarType.BFloat16 : model.Decoder.Embeddings.weight!.dtype;
        using var cache = KvCache.ForModel(config, rows, longest + options.MaxNewTokens, cacheDtype, device,
            options.KeepKvCache ? model.KvCacheArena : null);

        var active = Enumerable.Range(0, rows).ToList();   // active[i] = original row of batch row i
        var lastPositions = positions.select(1, -1);
        var logits = LastLogits(model, ids, positions, keyValid, cache);

        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var uniforms = active.Select(r => rngs[r].NextDouble()).ToArray();
            var (next, nextLogProbs) = TokenSampler.Sample(logits, uniforms, options);
            long[] nextIds = next.cpu().data<long>().ToArray();
            float[] nextLp = nextLogProbs.cpu().data<float>().ToArray();

            var keep = new List<long>();
            for (int i = 0; i < active.Count; i++)
            {
                int row = active[i];
                tokens[row].Add((int)nextIds[i]);
                logProbs[row].Add(nextLp[i]);
                onToken?.Invoke(row, (int)nextIds[i]);
                if (stop.Contains((int)nextIds[i])) finish[row] = FinishReason.Stop;
                else if (step == options.MaxNewTokens - 1) finish[row] = FinishReason.Length;
                else keep.Add(i);
            }
            if (keep.Count == 0) break;

            var nextInput = next.unsqueeze(1);
            if (keep.Count < active.Count)
            {
                var keepIndex = tensor(keep.ToArray(), device: device);
                cache.KeepRows(keepIndex);
                keyValid = keyValid?.index_select(0, keepIndex);
                lastPositions = lastPositions.index_select(0, keepIndex);
                nextInput = nextInput.index_select(0, keepIndex);
                active = keep.Select(i => active[(int)i]).ToList();
            }
            var previous = new[] { logits, keyValid, lastPositions };
            lastPositions = lastPositions + 1;
            if (keyValid is not null) keyValid = cat([keyValid, ones([keyValid.shape[0], 1], ScalarType.Bool, device)], dim: 1);
            logits = LastLogits(model, nextInput, lastPositions.unsqueeze(1), keyValid, cache);
            // Keep the state the next step reads; free the previous step's now, not at the end of the whole generation.
            logits.MoveToOuterDisposeScope();
            keyValid?.MoveToOuterDisposeScope();
            lastPositions.MoveToOuterDisposeScope();
            foreach (var t in previous) t?.Dispose();
        }

        return Enumerable.Range(0, rows).Select(r => new GenerationResult(tokens[r], logProbs[r], finish[r])).ToArray();
    }

    /// <summary>Runs the model on new positions, appends them to the cache, and returns the last position's logits.</summary>
    private static Tensor LastLogits(PolicyModel model, Tensor ids, Tensor positions, Tensor? valid, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var hidden = model.Hidden(ids, positions, valid, cache);
        cache.Advance((int)ids.shape[1]);
        return model.Logits(hidden.select(1, -1)).MoveToOuterDisposeScope();
    }

    /// <summary>Left-pads prompts to <paramref name="length"/>: ids, a validity mask, and per-row positions.</summary>
    public static (Tensor Ids, Tensor Valid, Tensor Positions) LeftPad(IReadOnlyList<GenerationRequest> requests, int length, int padId, Device device)
    {
        int rows = requests.Count;
        var ids = new long[rows * length];
        var valid = new bool[rows * length];
        var positions = new long[rows * length];
        for (int r = 0; r < rows; r++)
        {
            var prompt = requests[r].PromptIds;
            int pad = length - prompt.Count;
            for (int t = 0; t < length; t++)
            {
                int at = r * length + t;
                bool real = t >= pad;
                ids[at] = real ? prompt[t - pad] : padId;
                valid[at] = real;
                positions[at] = real ? t - pad : 0;
            }
        }
        return (tensor(ids, [rows, length], device: device), tensor(valid, [rows, length], device: device),
                tensor(positions, [rows, length], device: device));
    }
}
