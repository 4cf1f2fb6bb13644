using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tests.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Sampling;

/// <summary>
/// Self-speculative decoding with the multi-token prediction module as the drafter (<see cref="SpeculativeGenerator"/>):
/// greedy decoding gives exactly the tokens of plain decoding, with random and with trained drafters; sampling keeps the
/// main model's distribution (checked by a chi-square test on a tiny vocabulary); a run is reproducible from its seeds;
/// a model without the module is refused by name.
/// </summary>
public class SpeculativeDecodingTests
{
    private static readonly SamplingOptions Greedy = SamplingOptions.Defaults with
    {
        MaxNewTokens = 24, Temperature = 0, TopP = 1.0, TopK = 0, StopTokenIds = [], Speculative = SpeculativeDecoding.Off,
    };

    /// <summary>
    /// A tiny policy with one MTP module and an untied head scaled up, so its distributions are peaked (a freshly drawn
    /// head gives near-uniform logits, near-ties for greedy decoding and a drafter that agrees with anything).
    /// </summary>
    private static PolicyModel Model(ModelConfig? shape = null, int vocab = 97, long seed = 3, double headScale = 20)
    {
        var model = new PolicyModel((shape ?? TinyModels.Dense()) with { VocabSize = vocab, MtpLayers = 1, TieWordEmbeddings = false }, seed: seed);
        using (no_grad())
            model.named_parameters().Single(p => p.name == "lm_head.weight").parameter.mul_(headScale);
        model.eval();
        return model;
    }

    private static GenerationRequest[] Prompts(int count, int vocab, ulong seed = 17)
    {
        var rng = new SplitMix64(seed);
        // Lengths 1 to 7: speculation decodes rows one at a time, the plain path left-pads them together.
        return Enumerable.Range(0, count)
            .Select(i => new GenerationRequest(Enumerable.Range(0, 1 + i % 7).Select(_ => 2 + (int)(rng.Next() % (ulong)(vocab - 2))).ToArray(), (ulong)(100 + i)))
            .ToArray();
    }

    private static void AssertSameGreedyTokens(PolicyModel model, GenerationRequest[] requests, SamplingOptions options, double minAcceptance = 0)
    {
        var plain = PolicyGenerator.Generate(model, requests, options);
        var (speculative, stats) = SpeculativeGenerator.Generate(model, requests, options with { Speculative = SpeculativeDecoding.Mtp });
        for (int r = 0; r < requests.Length; r++)
        {
            Assert.Equal(plain[r].TokenIds, speculative[r].TokenIds);
            Assert.Equal(plain[r].Finish, speculative[r].Finish);
            for (int t = 0; t < plain[r].LogProbs.Count; t++) Assert.Equal(plain[r].LogProbs[t], speculative[r].LogProbs[t], 1e-4f);
        }
        Assert.True(stats.Drafted > 0);
        Assert.True(stats.AcceptanceRate >= minAcceptance, $"acceptance {stats.AcceptanceRate:F3} below {minAcceptance}");
        // Every kept draft saved a main pass: passes = prompts + drafts, tokens = prompts' first tokens + drafts + kept ones
        // (less those cut off by the end of a completion).
        Assert.Equal(requests.Length + stats.Drafted, stats.MainPasses);
        Assert.True(stats.Tokens <= requests.Length + stats.Drafted + stats.Accepted);
    }

    [Fact]
    public void Greedy_decoding_with_a_random_drafter_gives_the_plain_tokens()
    {
        using var model = Model();
        AssertSameGreedyTokens(model, Prompts(8, 97), Greedy);
        // With a stop token met mid-completion (after a kept draft, the token after it must not be emitted).
        var requests = Prompts(8, 97, seed: 5);
        var stops = PolicyGenerator.Generate(model, requests, Greedy).Select(r => r.TokenIds[5]).Distinct().ToArray();
        AssertSameGreedyTokens(model, requests, Greedy with { StopTokenIds = stops });
    }

    [Fact]
    public void Greedy_decoding_with_a_trained_drafter_gives_the_plain_tokens_and_keeps_most_drafts()
    {
        using var model = Model(seed: 8);
        var requests = Prompts(12, 97, seed: 21);
        var random = SpeculativeGenerator.Generate(model, requests, Greedy with { Speculative = SpeculativeDecoding.Mtp }).Statistics;
        TrainDrafter(model, requests, steps: 150);
        AssertSameGreedyTokens(model, requests, Greedy, minAcceptance: 0.6);
        var trained = SpeculativeGenerator.Generate(model, requests, Greedy with { Speculative = SpeculativeDecoding.Mtp }).Statistics;
        Assert.True(trained.AcceptanceRate > random.AcceptanceRate + 0.3, $"trained {trained.AcceptanceRate:F3}, random {random.AcceptanceRate:F3}");
        Assert.True(trained.MainPasses < random.MainPasses);
    }

    [Fact]
    public void Greedy_decoding_of_a_latent_attention_model_with_a_bfloat16_cache_gives_the_plain_tokens()
    {
        using var model = Model(LatentAttentionTests.Mla());
        AssertSameGreedyTokens(model, Prompts(6, 97), Greedy with { KvCacheDtype = KvCacheDtype.Bfloat16, MaxNewTokens = 16 });
    }

    /// <summary>
    /// Trains only the MTP module on the main model's own greedy continuations of <paramref name="requests"/> (what a
    /// drafter must predict), with the depth-1 loss of training (next-next token from h_i and token i + 1).
    /// </summary>
    private static void TrainDrafter(PolicyModel model, GenerationRequest[] requests, int steps)
    {
        var completions = PolicyGenerator.Generate(model, requests, Greedy with { MaxNewTokens = 32 });
        int length = requests.Max(r => r.PromptIds.Count) + 32;
        // Right-padded sequences with a validity mask.
        var ids = new long[requests.Length * length];
        var valid = new bool[requests.Length * length];
        for (int r = 0; r < requests.Length; r++)
        {
            var sequence = requests[r].PromptIds.Concat(completions[r].TokenIds).ToArray();
            for (int t = 0; t < sequence.Length; t++) (ids[r * length + t], valid[r * length + t]) = (sequence[t], true);
        }
        var idsT = tensor(ids, [requests.Length, length]);
        var validT = tensor(valid, [requests.Length, length]);
        var positions = arange(length).unsqueeze(0).expand(requests.Length, length);
        Tensor mainHidden;
        using (no_grad()) mainHidden = model.Hidden(idsT, positions, validT);
        var parameters = model.named_parameters().Where(p => model.IsMtpParameter(p.name)).Select(p => p.parameter).ToList();
        using var optimizer = optim.Adam(parameters, lr: 1e-2);
        // Position i of depth 1 predicts token i + 2; a target counts when it is real.
        var targets = idsT.narrow(1, 2, length - 2).masked_fill(validT.narrow(1, 2, length - 2).logical_not(), -100);
        model.train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var hidden = model.MtpHidden(mainHidden, idsT, validT)[0].narrow(1, 0, length - 2);
            var logits = model.MtpLogits(1, hidden);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1), ignore_index: -100);
            loss.backward();
            optimizer.step();
        }
        model.eval();
    }

    [Fact]
    public void Sampling_with_speculation_keeps_the_main_models_distribution()
    {
        // Vocabulary 5, three new tokens (a draft kept or rejected after the first, a rollback and a second draft after a
        // rejection): 125 outcomes, whose exact probabilities come from a full forward pass over every continuation.
        const int vocab = 5, samples = 2500;
        using var model = Model(vocab: vocab, seed: 12, headScale: 12);
        int[] prompt = [3, 1, 4];
        var options = Greedy with { Temperature = 1.0, MaxNewTokens = 3 };
        var exact = ExactJoint(model, prompt, vocab);

        var requests = Enumerable.Range(0, samples).Select(i => new GenerationRequest(prompt, (ulong)(7919 * i + 1))).ToArray();
        var (results, stats) = SpeculativeGenerator.Generate(model, requests, options with { Speculative = SpeculativeDecoding.Mtp });
        var counts = new double[vocab * vocab * vocab];
        foreach (var r in results) counts[(r.TokenIds[0] * vocab + r.TokenIds[1]) * vocab + r.TokenIds[2]]++;
        // Drafts were both kept and rejected, so both branches of the rule carried the samples.
        Assert.InRange(stats.AcceptanceRate, 0.1, 0.9);

        var (chiSquare, degrees) = ChiSquare(counts, exact, samples);
        Assert.True(chiSquare < Critical(degrees), $"chi-square {chiSquare:F1} on {degrees} degrees of freedom (critical {Critical(degrees):F1} at p = 1e-4)");
    }

    [Fact]
    public void The_acceptance_rule_turns_draft_samples_into_target_samples()
    {
        double[] p = [0.5, 0.3, 0.15, 0.05, 0];
        double[] q = [0.1, 0.1, 0.2, 0.3, 0.3];   // mass where p has none, too little where p has most
        const int trials = 200_000;
        var rng = new SplitMix64(2026);
        var counts = new double[p.Length];
        int accepted = 0;
        for (int i = 0; i < trials; i++)
        {
            int draft = SpeculativeSampling.Draw(q, rng.NextDouble());
            var (kept, token) = SpeculativeSampling.Verify(p, q, draft, rng.NextDouble(), rng.NextDouble());
            counts[token]++;
            if (kept) accepted++;
        }
        Assert.Equal(0, counts[4]);
        var (chiSquare, degrees) = ChiSquare(counts, p, trials);
        Assert.True(chiSquare < Critical(degrees), $"chi-square {chiSquare:F1} on {degrees} degrees of freedom");
        // Drafts are kept with probability sum_x min(p(x), q(x)) = 0.1 + 0.1 + 0.15 + 0.05 = 0.4.
        Assert.Equal(0.4, accepted / (double)trials, 2);
    }

    [Fact]
    public void The_target_distribution_is_the_samplers_with_temperature_top_k_and_top_p()
    {
        float[] logits = [2f, 1f, 0f, -1f, 0.5f];
        var options = Greedy with { Temperature = 0.5 };
        var full = SpeculativeSampling.Target(logits, options);
        var expected = logits.Select(l => Math.Exp(l / 0.5)).ToArray();
        for (int j = 0; j < logits.Length; j++) Assert.Equal(expected[j] / expected.Sum(), full[j], 12);
        // Top-k 2 keeps tokens 0 and 1, renormalised.
        var topK = SpeculativeSampling.Target(logits, options with { TopK = 2 });
        Assert.Equal(expected[0] / (expected[0] + expected[1]), topK[0], 12);
        Assert.Equal(new double[] { 0, 0, 0 }, topK.Skip(2).ToArray());
        // Top-p keeps a token while the mass before it is short of top-p: token 0 alone has ~0.84 of the mass.
        var topP = SpeculativeSampling.Target(logits, options with { TopP = 0.8 });
        Assert.Equal(new double[] { 1, 0, 0, 0, 0 }, topP);
        // The plain sampler agrees: with those settings it only ever draws token 0.
        var (tokens, _) = TokenSampler.Sample(tensor(logits).unsqueeze(0), [0.999], options with { TopP = 0.8 });
        Assert.Equal(0L, tokens.item<long>());
    }

    [Fact]
    public void A_speculative_run_is_reproducible_from_its_seeds()
    {
        using var model = Model();
        var options = Greedy with { Temperature = 1.0, TopP = 0.9, Speculative = SpeculativeDecoding.Mtp, StopTokenIds = [1] };
        var requests = Prompts(4, 97);
        var a = PolicyGenerator.Generate(model, requests, options);
        var b = PolicyGenerator.Generate(model, requests, options);
        var c = PolicyGenerator.Generate(model, requests.Select(r => r with { Seed = r.Seed + 1000 }).ToArray(), options);
        for (int r = 0; r < requests.Length; r++)
        {
            Assert.Equal(a[r].TokenIds, b[r].TokenIds);
            Assert.Equal(a[r].LogProbs, b[r].LogProbs);
        }
        Assert.Contains(Enumerable.Range(0, requests.Length), r => !a[r].TokenIds.SequenceEqual(c[r].TokenIds));
        // A row's tokens do not depend on the rows beside it.
        var alone = PolicyGenerator.Generate(model, [requests[2]], options)[0];
        Assert.Equal(a[2].TokenIds, alone.TokenIds);
    }

    [Fact]
    public void Tokens_are_reported_to_their_row_in_order()
    {
        using var model = Model();
        var requests = Prompts(3, 97);
        var seen = requests.Select(_ => new List<int>()).ToArray();
        var results = PolicyGenerator.Generate(model, requests, Greedy with { Speculative = SpeculativeDecoding.Mtp }, (row, token) => seen[row].Add(token));
        for (int r = 0; r < requests.Length; r++) Assert.Equal(results[r].TokenIds, seen[r]);
    }

    [Fact]
    public void A_model_without_mtp_layers_is_refused_by_name()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 1);
        var e = Assert.Throws<ArgumentException>(() =>
            PolicyGenerator.Generate(model, Prompts(1, 97), Greedy with { Speculative = SpeculativeDecoding.Mtp }));
        Assert.Contains("r1.sampling.speculative", e.Message);
        Assert.Contains("mtp-layers", e.Message);
    }

    [Fact]
    public void The_shipped_default_is_off()
    {
        Assert.Equal(SpeculativeDecoding.Off, SamplingOptions.Defaults.Speculative);
    }

    [Fact]
    public void A_cache_rolled_back_is_overwritten_in_place_and_refuses_to_grow_by_rolling_back()
    {
        using var cache = new KvCache(layers: 1, batch: 1, kvHeads: 1, capacity: 4, headDim: 2, ScalarType.Float32, CPU);
        cache.Append(0, ones(1, 1, 3, 2), ones(1, 1, 3, 2));
        cache.Advance(3);
        cache.RollBack(2);
        var (keys, values) = cache.Append(0, full(1, 1, 1, 2, 7f), full(1, 1, 1, 2, 7f));
        Assert.Equal([1L, 1L, 3L, 2L], keys.shape);
        Assert.Equal([1f, 1f, 1f, 1f, 7f, 7f], keys.contiguous().flatten().data<float>().ToArray());
        Assert.Equal([1f, 1f, 1f, 1f, 7f, 7f], values.contiguous().flatten().data<float>().ToArray());
        cache.Advance(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.RollBack(4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Two_and_three_new_positions_after_a_cache_attend_as_a_full_pass_does(int threads)
    {
        // The verifying pass's few queries take the one-query path each (CausalSelfAttention.AttendFewQueries; with one
        // libtorch thread that is the C# decode kernel): the hidden states must be those of one uncached pass. The first
        // piece has no cached keys and no mask (causality is the path's alone), the later ones an offset mask.
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var model = Model(seed: 4);
            using var _ = no_grad();
            long[] ids = [5, 9, 14, 3, 22, 7, 31, 8, 2, 11];
            var all = tensor(ids, [1, ids.Length]);
            var full = model.Hidden(all, arange(ids.Length).unsqueeze(0));
            using var cache = KvCache.ForModel(model.Config, 1, ids.Length, ScalarType.Float32, CPU);
            var pieces = new List<Tensor>();
            foreach (var (start, count) in new[] { (0, 3), (3, 2), (5, 2), (7, 3) })
            {
                pieces.Add(model.Hidden(all.narrow(1, start, count), arange(start, start + count).unsqueeze(0), null, cache));
                cache.Advance(count);
            }
            Assert.True(cat(pieces, 1).allclose(full, rtol: 1e-4, atol: 1e-5));
        }
        finally { set_num_threads(before); }
    }

    /// <summary>P(t1, t2, t3 | prompt) for every continuation, from one uncached forward pass over all of them.</summary>
    private static double[] ExactJoint(PolicyModel model, int[] prompt, int vocab)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int outcomes = vocab * vocab * vocab, length = prompt.Length + 3;
        var ids = new long[outcomes * length];
        for (int o = 0; o < outcomes; o++)
        {
            int[] continuation = [o / (vocab * vocab), o / vocab % vocab, o % vocab];
            for (int t = 0; t < length; t++) ids[o * length + t] = t < prompt.Length ? prompt[t] : continuation[t - prompt.Length];
        }
        var idsT = tensor(ids, [outcomes, length]);
        var positions = arange(length).unsqueeze(0).expand(outcomes, length);
        var logProbs = model.Forward(idsT, positions).to_type(ScalarType.Float64).log_softmax(-1);
        // Token t of the continuation is predicted at position prompt + t - 1.
        var chosen = logProbs.narrow(1, prompt.Length - 1, 3).gather(-1, idsT.narrow(1, prompt.Length, 3).unsqueeze(-1)).squeeze(-1);
        return chosen.sum(-1).exp().data<double>().ToArray();
    }

    /// <summary>Pearson's chi-square of observed counts against expected probabilities, cells expected under 5 pooled.</summary>
    private static (double ChiSquare, int Degrees) ChiSquare(double[] counts, double[] probabilities, int total)
    {
        double chi = 0, pooledObserved = 0, pooledExpected = 0;
        int cells = 0;
        for (int j = 0; j < counts.Length; j++)
        {
            double expected = probabilities[j] * total;
            if (expected < 5) { pooledObserved += counts[j]; pooledExpected += expected; continue; }
            chi += (counts[j] - expected) * (counts[j] - expected) / expected;
            cells++;
        }
        if (pooledExpected >= 5)
        {
            chi += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
            cells++;
        }
        else Assert.True(pooledObserved <= 10, $"{pooledObserved} samples in cells expected to hold {pooledExpected:F2}");
        return (chi, cells - 1);
    }

    /// <summary>The chi-square quantile at 1 - 1e-4 (Wilson-Hilferty), so a correct sampler fails once in 10,000 seeds.</summary>
    private static double Critical(int degrees)
    {
        const double z = 3.719;
        double k = degrees;
        return k * Math.Pow(1 - 2 / (9 * k) + z * Math.Sqrt(2 / (9 * k)), 3);
    }
}
