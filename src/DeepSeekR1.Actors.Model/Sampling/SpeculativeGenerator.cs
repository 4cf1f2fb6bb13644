using System.Diagnostics;
using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Sampling;

/// <summary>What speculative decoding did over one generation call.</summary>
/// <param name="Drafted">Draft tokens proposed (one per verifying pass).</param>
/// <param name="Accepted">Of those, how many were kept.</param>
/// <param name="MainPasses">Forward passes of the main model, prompt passes included.</param>
/// <param name="Tokens">Tokens generated.</param>
/// <param name="DraftSeconds">Wall time in the drafter's passes (the module, its logits, the draft chosen).</param>
/// <param name="VerifySeconds">Wall time in the verifying main passes (the pass, its logits, the tokens chosen).</param>
public sealed record SpeculativeStatistics(long Drafted, long Accepted, long MainPasses, long Tokens, double DraftSeconds, double VerifySeconds)
{
    /// <summary>Share of drafts kept (0 when none was proposed).</summary>
    public double AcceptanceRate => Drafted == 0 ? 0 : (double)Accepted / Drafted;
}

/// <summary>
/// Self-speculative decoding with the model's first multi-token prediction module as the drafter (DeepSeek-V3 section
/// 5.4.3; the drafter reads the main model's last hidden state, as in EAGLE). After the main model has produced the
/// hidden state h_n-1 and token t_n has been chosen, the module joins h_n-1 with t_n's embedding and proposes a draft d
/// for t_n+1. One main pass over [t_n, d] then gives the target distributions of t_n+1 and t_n+2 at once. Greedy: d is
/// kept when it is the main model's argmax, and the argmax after it comes free. Sampling: d is kept with probability
/// min(1, p(d)/q(d)), else t_n+1 is drawn from normalize(max(0, p - q)) (<see cref="SpeculativeSampling"/>), so every token
/// has exactly the main model's distribution. A kept draft gives two tokens for one main pass; a rejected one, one
/// token, and the draft's entry in the KV cache is rolled back (<see cref="KvCache.RollBack"/>) and overwritten by the
/// next pass. The module has a cache of its own (<see cref="KvCache.ForMtp"/>) and reads each main hidden state once,
/// after it is final.
/// Rows are decoded one at a time: in a batch, rows keep different numbers of tokens at each step, and the shared cache
/// length of <see cref="KvCache"/> cannot hold that. Randomness: each row draws three uniforms per verifying pass
/// (draft, acceptance, the next token) from its own <see cref="SplitMix64"/> seeded by the request, so a run is
/// reproducible from its seeds; it is not the token stream the same seed gives without speculation.
/// </summary>
public static class SpeculativeGenerator
{
    /// <summary>Generates a completion for each request; see <see cref="PolicyGenerator.Generate"/> for the arguments.</summary>
    public static (IReadOnlyList<GenerationResult> Results, SpeculativeStatistics Statistics) Generate(PolicyModel model,
        IReadOnlyList<GenerationRequest> requests, SamplingOptions options, Action<int, int>? onToken = null)
    {
        options.Validate();
        if (model.Config.MtpLayers == 0)
            throw new ArgumentException("r1.sampling.speculative = mtp drafts with the model's multi-token prediction module, and this model has none " +
                "(r1.model.mtp-layers = 0; config.json: num_nextn_predict_layers); set r1.sampling.speculative = off", nameof(model));
        if (requests.Any(r => r.PromptIds.Count == 0)) throw new ArgumentException("every prompt needs at least one token", nameof(requests));
        var counts = new Counts();
        if (requests.Count == 0) return ([], counts.ToStatistics());
        int longest = requests.Max(r => r.PromptIds.Count);
        if (longest + options.MaxNewTokens - 1 >= model.Config.ContextLength)
            throw new ArgumentException(
                $"prompt ({longest} tokens) + max-new-tokens ({options.MaxNewTokens}) exceeds the model's context ({model.Config.ContextLength} positions)");

        using var noGrad = no_grad();
        // The same fused projections as PolicyGenerator, so the main model computes what it computes there.
        using var fused = model.FuseProjections();
        // The drafter's projections fused as well: fewer calls per draft (its numbers need match nothing; a draft is a guess).
        foreach (var layer in model.Decoder.MtpLayers) layer.Fuse();
        var results = new GenerationResult[requests.Count];
        try
        {
            for (int r = 0; r < requests.Count; r++)
            {
                int row = r;
                results[r] = GenerateRow(model, requests[r], options, onToken is null ? null : token => onToken(row, token), counts);
            }
        }
        finally
        {
            foreach (var layer in model.Decoder.MtpLayers) layer.Unfuse();
        }
        return (results, counts.ToStatistics());
    }

    private static GenerationResult GenerateRow(PolicyModel model, GenerationRequest request, SamplingOptions options, Action<int>? onToken, Counts counts)
    {
        var config = model.Config;
        var device = model.Device;
        int prompt = request.PromptIds.Count, maxNew = options.MaxNewTokens;
        bool greedy = options.Temperature == 0;
        var rng = new SplitMix64(request.Seed);
        var stop = options.StopTokenIds.ToHashSet();
        var tokens = new List<int>();
        var logProbs = new List<float>();
        var finish = FinishReason.Length;

        // Adds one token; false when the completion ends with it (a stop token, or the last one allowed).
        bool Emit(int token, float logProb)
        {
            tokens.Add(token);
            logProbs.Add(logProb);
            counts.Tokens++;
            onToken?.Invoke(token);
            if (stop.Contains(token)) { finish = FinishReason.Stop; return false; }
            return tokens.Count < maxNew;
        }

        using var outer = NewDisposeScope();
        var cacheDtype = options.KvCacheDtype == KvCacheDtype.Bfloat16 ? ScalarType.BFloat16 : model.Decoder.Embeddings.weight!.dtype;
        // Positions up to prompt + maxNew - 1 are ever written: a verifying pass runs only while a token is still owed.
        using var cache = KvCache.ForModel(config, 1, prompt + maxNew, cacheDtype, device, options.KeepKvCache ? model.KvCacheArena : null);
        using var draftCache = KvCache.ForMtp(config, 1, prompt + maxNew, cacheDtype, device);

        var promptIds = request.PromptIds.Select(t => (long)t).ToArray();
        var hidden = model.Hidden(tensor(promptIds, [1, prompt], device: device), Positions(0, prompt, device), null, cache);
        cache.Advance(prompt);
        counts.MainPasses++;
        var (firstLogits, firstLogProbs) = Read(model.Logits(hidden.select(1, -1)), options);
        int next = Choose(firstLogits, options, rng.NextDouble());
        if (!Emit(next, firstLogProbs[next])) return new GenerationResult(tokens, logProbs, finish);

        // The main hidden states the drafter has not read yet (positions position - pending .. position - 1), and the
        // token that follows each; `next`, at `position`, is chosen but not yet in the main cache.
        var pendingHidden = hidden;
        var pendingNext = promptIds.Skip(1).Append(next).ToArray();
        int position = prompt;
        while (true)
        {
            using var step = NewDisposeScope();
            double draftUniform = rng.NextDouble(), acceptUniform = rng.NextDouble(), nextUniform = rng.NextDouble();

            long started = Stopwatch.GetTimestamp();
            // Draft t_position+1 from h_position-1 and t_position (and, after a kept draft, h_position-2 and the draft first).
            int pending = pendingNext.Length;
            var draftHidden = model.MtpDraftHidden(pendingHidden, tensor(pendingNext, [1, pending], device: device),
                Positions(position - pending, pending, device), draftCache);
            draftCache.Advance(pending);
            var draftLogits = model.MtpLogits(1, draftHidden.select(1, -1)).to_type(ScalarType.Float32).cpu().data<float>().ToArray();
            double[]? q = greedy ? null : SpeculativeSampling.Target(draftLogits, options);
            int draft = greedy ? ArgMax(draftLogits) : SpeculativeSampling.Draw(q!, draftUniform);

            long drafted = Stopwatch.GetTimestamp();
            counts.DraftTicks += drafted - started;
            // Verify: one main pass over [t_position, draft] gives the distributions of t_position+1 and t_position+2.
            var verifyHidden = model.Hidden(tensor(new long[] { next, draft }, [1, 2], device: device), Positions(position, 2, device), null, cache);
            cache.Advance(2);
            counts.MainPasses++;
            counts.Drafted++;
            var (logits, lp) = Read(model.Logits(verifyHidden.squeeze(0)), options);
            int vocab = logits.Length / 2;
            var now = logits.AsSpan(0, vocab);
            var after = logits.AsSpan(vocab);
            bool accepted;
            int chosen;
            if (greedy)
            {
                chosen = ArgMax(now);
                accepted = chosen == draft;
            }
            else (accepted, chosen) = SpeculativeSampling.Verify(SpeculativeSampling.Target(now, options), q!, draft, acceptUniform, nextUniform);
            if (accepted) counts.Accepted++;
            counts.VerifyTicks += Stopwatch.GetTimestamp() - drafted;
            if (!Emit(chosen, lp[chosen])) break;

            Tensor kept;
            if (accepted)
            {
                // The draft stands, and the pass also gave the token after it (each uniform serves once: this one was not
                // used by the acceptance test).
                int bonus = Choose(after, options, nextUniform);
                if (!Emit(bonus, lp[vocab + bonus])) break;
                kept = verifyHidden;
                pendingNext = [chosen, bonus];
                next = bonus;
                position += 2;
            }
            else
            {
                // The draft's keys and values are forgotten; the next pass writes over them.
                cache.RollBack(position + 1);
                kept = verifyHidden.narrow(1, 0, 1);
                pendingNext = [chosen];
                next = chosen;
                position += 1;
            }
            var previous = pendingHidden;
            pendingHidden = kept.MoveToOuterDisposeScope();
            previous.Dispose();
        }
        return new GenerationResult(tokens, logProbs, finish);
    }

    /// <summary>Positions start .. start + count - 1 as a [1, count] tensor.</summary>
    private static Tensor Positions(int start, int count, Device device) =>
        arange(start, start + count, ScalarType.Int64, device: device).unsqueeze(0);

    /// <summary>
    /// Logits rows [rows, vocab] as float32 values, and their log-probabilities as <see cref="TokenSampler"/> reports
    /// them (log softmax(logits / T), T = 1 for greedy), both flattened row after row.
    /// </summary>
    private static (float[] Logits, float[] LogProbs) Read(Tensor logits, SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        var scaled = logits.to_type(ScalarType.Float32);
        var values = scaled.cpu().data<float>().ToArray();
        // The same ops as TokenSampler, so the reported log-probabilities are those of the plain path.
        if (options.Temperature != 0 && options.Temperature != 1.0) scaled = scaled / options.Temperature;
        return (values, scaled.log_softmax(-1).cpu().data<float>().ToArray());
    }

    /// <summary>The token a plain decoding step would choose from one row of logits: the argmax, or a draw from the target distribution.</summary>
    private static int Choose(ReadOnlySpan<float> logits, SamplingOptions options, double uniform) =>
        options.Temperature == 0 ? ArgMax(logits) : SpeculativeSampling.Draw(SpeculativeSampling.Target(logits, options), uniform);

    /// <summary>The first index of the largest value, as libtorch's argmax (NaN counts as the largest).</summary>
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++)
        {
            if (float.IsNaN(values[best])) break;
            if (float.IsNaN(values[j]) || values[j] > values[best]) best = j;
        }
        return best;
    }

    private sealed class Counts
    {
        public long Drafted;
        public long Accepted;
        public long MainPasses;
        public long Tokens;
        public long DraftTicks;
        public long VerifyTicks;

        public SpeculativeStatistics ToStatistics() =>
            new(Drafted, Accepted, MainPasses, Tokens, (double)DraftTicks / Stopwatch.Frequency, (double)VerifyTicks / Stopwatch.Frequency);
    }
}
