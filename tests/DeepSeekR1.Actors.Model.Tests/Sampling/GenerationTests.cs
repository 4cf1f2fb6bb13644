using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tests.Policy;
using DeepSeekR1.Actors.Model.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Sampling;

public class GenerationTests
{
    private static readonly SamplingOptions Options = SamplingOptions.Defaults with { MaxNewTokens = 12, Temperature = 1.0, StopTokenIds = [1] };

    [Fact]
    public void Same_seed_gives_the_same_samples_and_another_seed_differs()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 11);
        var a = PolicyGenerator.Generate(model, [new GenerationRequest([4, 5, 6], 42)], Options)[0];
        var b = PolicyGenerator.Generate(model, [new GenerationRequest([4, 5, 6], 42)], Options)[0];
        var c = PolicyGenerator.Generate(model, [new GenerationRequest([4, 5, 6], 43)], Options)[0];
        Assert.Equal(a.TokenIds, b.TokenIds);
        Assert.Equal(a.LogProbs, b.LogProbs);
        Assert.NotEqual(a.TokenIds, c.TokenIds);
    }

    [Fact]
    public void A_rows_samples_do_not_depend_on_the_rest_of_the_batch()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 11);
        var alone = PolicyGenerator.Generate(model, [new GenerationRequest([4, 5, 6], 7)], Options)[0];
        var batched = PolicyGenerator.Generate(model,
            [new GenerationRequest([9, 9, 9, 9, 9, 9], 1), new GenerationRequest([4, 5, 6], 7), new GenerationRequest([3], 2)], Options)[1];
        Assert.Equal(alone.TokenIds, batched.TokenIds);
    }

    [Fact]
    public void Each_token_is_reported_to_its_row_as_it_is_sampled_in_order()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 5);
        var requests = Enumerable.Range(0, 6).Select(i => new GenerationRequest([4, 5, 6 + i], (ulong)i)).ToArray();
        var seen = Enumerable.Range(0, requests.Length).Select(_ => new List<int>()).ToArray();
        var order = new List<int>();
        var results = PolicyGenerator.Generate(model, requests, Options with { StopTokenIds = [0, 1, 2, 3, 4, 5] }, (row, token) =>
        {
            seen[row].Add(token);
            order.Add(row);
        });
        for (int r = 0; r < requests.Length; r++) Assert.Equal(results[r].TokenIds, seen[r]);
        // Step by step: every active row's token of step k comes before any row's token of step k + 1.
        Assert.Equal(Enumerable.Range(0, requests.Length).ToArray(), order.Take(requests.Length).ToArray());
    }

    [Fact]
    public void Stops_at_the_stop_token_or_the_length_limit()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 5);
        var requests = Enumerable.Range(0, 16).Select(i => new GenerationRequest([4, 5], (ulong)i)).ToArray();
        // Token 1 is the stop token; with 97 tokens and 12 steps some rows stop early only if sampled, so force it:
        var results = PolicyGenerator.Generate(model, requests, Options with { StopTokenIds = Enumerable.Range(0, 97).Where(t => t % 3 == 0).ToArray() });
        foreach (var r in results)
        {
            Assert.True(r.TokenIds.Count is >= 1 and <= 12);
            Assert.Equal(r.TokenIds.Count, r.LogProbs.Count);
            int stops = r.TokenIds.Count(t => t % 3 == 0);
            if (r.Finish == FinishReason.Stop) { Assert.Equal(1, stops); Assert.True(r.TokenIds[^1] % 3 == 0); }
            else { Assert.Equal(0, stops); Assert.Equal(12, r.TokenIds.Count); }
        }
        Assert.Contains(results, r => r.Finish == FinishReason.Stop);
    }

    [Fact]
    public void A_kept_cache_is_reused_and_samples_as_a_fresh_one_does()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 3);
        var stopping = Options with { StopTokenIds = Enumerable.Range(0, 97).Where(t => t % 5 == 0).ToArray() };
        var fresh = stopping with { KeepKvCache = false };
        var large = Enumerable.Range(0, 6).Select(i => new GenerationRequest([4, 5, 6, 7, 8], (ulong)i)).ToArray();
        GenerationRequest[] small = [new([9, 4], 21), new([5], 22)];   // fewer rows, padded, shorter cache

        Assert.Equal(0, model.KvCacheArena.Capacity);
        var largeKept = PolicyGenerator.Generate(model, large, stopping);
        long held = model.KvCacheArena.Capacity;
        Assert.True(held > 0);
        // Written over what the larger generation left behind (rows that stopped early included).
        var smallKept = PolicyGenerator.Generate(model, small, stopping);
        Assert.Equal(held, model.KvCacheArena.Capacity);

        AssertSameSamples(PolicyGenerator.Generate(model, large, fresh), largeKept);
        AssertSameSamples(PolicyGenerator.Generate(model, small, fresh), smallKept);
        Assert.Equal(held, model.KvCacheArena.Capacity);   // the fresh caches did not touch it

        model.KvCacheArena.Release();
        Assert.Equal(0, model.KvCacheArena.Capacity);
    }

    private static void AssertSameSamples(IReadOnlyList<GenerationResult> expected, IReadOnlyList<GenerationResult> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].TokenIds, actual[r].TokenIds);
            Assert.Equal(expected[r].Finish, actual[r].Finish);
            for (int t = 0; t < expected[r].LogProbs.Count; t++) Assert.Equal(expected[r].LogProbs[t], actual[r].LogProbs[t], 5);
        }
    }

    [Fact]
    public void Sampler_log_probs_match_the_learners_recomputation()
    {
        using var scope = NewDisposeScope();
        using var model = new PolicyModel(TinyModels.Moe(), seed: 2);
        model.eval();
        var (result, scores) = GenerateAndRescore(model, Options with { Temperature = 0.7, StopTokenIds = [] });
        using var _ = scores;
        var recomputed = scores.LogProbs[0].data<float>().ToArray()[Prompt.Length..];
        for (int t = 0; t < recomputed.Length; t++) Assert.Equal(result.LogProbs[t], recomputed[t], 4);
        var entropy = scores.Entropy![0].data<float>().ToArray();
        Assert.All(entropy[Prompt.Length..], h => Assert.InRange(h, 0f, MathF.Log(97) + 1e-4f));
        Assert.All(entropy[..Prompt.Length], h => Assert.Equal(0f, h));
    }

    private static readonly int[] Prompt = [4, 5, 6, 7];

    // One sampled completion of Prompt, and the learner's per-token log-probs (and entropy) of it at the same temperature.
    private static (GenerationResult Result, TokenScores Scores) GenerateAndRescore(PolicyModel model, SamplingOptions options)
    {
        var result = PolicyGenerator.Generate(model, [new GenerationRequest(Prompt, 99)], options)[0];
        var ids = Prompt.Concat(result.TokenIds).Select(t => (long)t).ToArray();
        var scored = ids.Select((_, i) => i >= Prompt.Length).ToArray();
        using var _ = no_grad();
        var scores = TokenLogProbs.Compute(model, tensor(ids).unsqueeze(0), ones([1, ids.Length], ScalarType.Bool),
            tensor(scored).unsqueeze(0), temperature: options.Temperature, withEntropy: true, chunkRows: 3);
        return (result, scores);
    }

    [Fact]
    public void A_bfloat16_cache_drifts_only_slightly_from_the_learners_log_probs()
    {
        using var scope = NewDisposeScope();
        using var model = new PolicyModel(TinyModels.Dense(), seed: 2);
        model.eval();
        var (result, scores) = GenerateAndRescore(model, Options with { StopTokenIds = [], KvCacheDtype = KvCacheDtype.Bfloat16 });
        using var _ = scores;
        var recomputed = scores.LogProbs[0].data<float>().ToArray()[Prompt.Length..];
        var drift = recomputed.Select((lp, t) => MathF.Abs(lp - result.LogProbs[t])).ToArray();
        // Keys and values rounded to bfloat16 move pi_old a little, never far; and they do move it (the option is live).
        Assert.All(drift, d => Assert.InRange(d, 0f, 0.05f));
        Assert.Contains(drift, d => d > 1e-6f);
    }

    [Fact]
    public void Greedy_decoding_follows_the_argmax()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 8);
        var result = PolicyGenerator.Generate(model, [new GenerationRequest([3, 4], 0)], Options with { Temperature = 0, MaxNewTokens = 3, StopTokenIds = [] })[0];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = new List<long> { 3, 4 };
        foreach (var token in result.TokenIds)
        {
            var logits = model.Forward(tensor(ids.ToArray()).unsqueeze(0), arange(ids.Count).unsqueeze(0)).select(1, -1);
            Assert.Equal(logits.argmax(-1).item<long>(), token);
            ids.Add(token);
        }
    }

    [Fact]
    public void Untruncated_sampling_inverts_the_cdf_in_vocabulary_order()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 0f, 2f, 1f, -1f }).unsqueeze(0);   // probabilities ~ .087 .644 .237 .032
        var picks = new[] { 0.05, 0.5, 0.8, 0.99 }.Select(u => TokenSampler.Sample(logits, [u], SamplingOptions.Defaults).Tokens.item<long>());
        Assert.Equal(new long[] { 0, 1, 2, 3 }, picks);
        var (_, logProb) = TokenSampler.Sample(logits, [0.5], SamplingOptions.Defaults);
        Assert.Equal(logits.log_softmax(-1)[0, 1].item<float>(), logProb.item<float>(), 5);
    }

    [Fact]
    public void The_cpu_inverse_cdf_equals_the_tensor_op_one_to_the_bit()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        var logits = randn([64, 300], generator: generator) * 4;
        logits.narrow(1, 0, 40).fill_(float.NegativeInfinity);               // tokens without mass at the start,
        logits[3].narrow(0, 250, 50).fill_(float.NegativeInfinity);        // at the end of a row,
        logits[5].fill_(float.NegativeInfinity); logits[5, 77] = 0;         // and a row with a single token
        var logProbs = logits.log_softmax(-1);
        var probs = logProbs.exp();
        // Draws across [0, 1), both ends included.
        var uniforms = Enumerable.Range(0, 64).Select(i => i == 0 ? 0.0 : i == 63 ? 1.0 - 1e-16 : (i * 0.6180339887) % 1.0).ToArray();
        var (tokens, chosen) = TokenSampler.InvertCdfOnCpu(logProbs, probs, uniforms);
        var (expectedTokens, expectedChosen) = TokenSampler.InvertCdfWithTensorOps(logProbs, probs, uniforms);
        Assert.Equal(expectedTokens.data<long>().ToArray(), tokens.data<long>().ToArray());
        Assert.Equal(expectedChosen.data<float>().ToArray(), chosen.data<float>().ToArray());
        Assert.Equal(77, tokens[5].item<long>());
        Assert.All(tokens.data<long>().ToArray(), t => Assert.True(t >= 40));
    }

    [Fact]
    public void Untruncated_sampling_never_picks_a_token_without_mass()
    {
        using var scope = NewDisposeScope();
        // Tokens 0, 2 and 3 have exactly zero probability; the draws at both ends must still land on token 1.
        var logits = tensor(new[] { float.NegativeInfinity, 0f, float.NegativeInfinity, float.NegativeInfinity }).unsqueeze(0);
        foreach (var u in new[] { 0.0, 0.5, 1 - 1e-16 })
            Assert.Equal(1, TokenSampler.Sample(logits, [u], SamplingOptions.Defaults).Tokens.item<long>());
    }

    [Fact]
    public void Top_k_one_is_greedy_and_top_p_keeps_the_nucleus()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 0f, 2f, 1f, -1f }).unsqueeze(0);   // probabilities ~ .09 .64 .24 .03
        var (k1, _) = TokenSampler.Sample(logits, [0.99], SamplingOptions.Defaults with { TopK = 1 });
        Assert.Equal(1, k1.item<long>());
        for (double u = 0; u < 1; u += 0.05)
        {
            var (tok, _) = TokenSampler.Sample(logits, [u], SamplingOptions.Defaults with { TopP = 0.8 });
            Assert.Contains(tok.item<long>(), new long[] { 1, 2 });   // .64 + .24 reaches .8; the tail is cut
        }
    }
}
