using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

public class KvCacheTests
{
    [Theory]
    [InlineData(4, false)]   // multi-head
    [InlineData(2, false)]   // grouped-query
    [InlineData(1, false)]   // multi-query
    [InlineData(2, true)]    // grouped-query, q/k/v and gate/up fused as during generation
    [InlineData(4, true)]
    public void Incremental_decoding_gives_the_logits_of_a_full_recompute(int kvHeads, bool fused) =>
        AssertIncrementalDecodingMatchesRecompute(kvHeads, fused);

    /// <summary>
    /// Prefills two left-padded prompts into a cache, decodes three tokens one at a time, and checks each step's logits
    /// against a full recompute of the whole sequence (within 1e-5). Also run at one libtorch thread, where the
    /// decoding steps go through DecodeAttention (SingleThreadedDecodingTests).
    /// </summary>
    internal static void AssertIncrementalDecodingMatchesRecompute(int kvHeads, bool fused)
    {
        using var scope = NewDisposeScope();
        using var model = new PolicyModel(TinyModels.Dense(kvHeads) with { AttentionBias = fused }, seed: 7);
        using var _ = no_grad();
        // The full recompute below runs after the fusion ends, on the separate projections: the reference stays independent.
        var fusion = fused ? model.FuseProjections() : null;
        // Two prompts of different lengths: the shorter one is left-padded, so masks and per-row positions matter.
        var requests = new[] { new GenerationRequest([5, 6, 7, 8, 9], 0), new GenerationRequest([10, 11], 0) };
        var (ids, valid, positions) = PolicyGenerator.LeftPad(requests, 5, 0, CPU);
        var continuation = tensor(new long[] { 20, 21, 22, 30, 31, 32 }, [2, 3]);

        using var cache = new KvCache(2, 2, kvHeads, 8, 8, ScalarType.Float32, CPU);
        model.Hidden(ids, positions, valid, cache);
        cache.Advance(5);
        var incremental = new List<Tensor>();
        var keyValid = valid;
        for (int t = 0; t < 3; t++)
        {
            keyValid = cat([keyValid, ones([2, 1], ScalarType.Bool)], 1);
            var pos = positions.select(1, -1).unsqueeze(1) + (t + 1);
            incremental.Add(model.Forward(continuation.narrow(1, t, 1), pos, keyValid, cache).squeeze(1));
            cache.Advance(1);
        }

        fusion?.Dispose();
        var allIds = cat([ids, continuation], 1);
        var allPos = cat([positions, positions.select(1, -1).unsqueeze(1) + arange(1, 4).unsqueeze(0)], 1);
        var full = model.Forward(allIds, allPos, keyValid);
        for (int t = 0; t < 3; t++)
        {
            var diff = (full.select(1, 5 + t) - incremental[t]).abs().max().item<float>();
            Assert.True(diff <= 1e-5f, $"step {t}: max |logit difference| {diff}");
        }
    }

    [Fact]
    public void Padding_does_not_change_a_rows_logits()
    {
        using var scope = NewDisposeScope();
        using var model = new PolicyModel(TinyModels.Dense(), seed: 3);
        using var _ = no_grad();
        var alone = model.Forward(tensor(new long[] { 10, 11 }).view(1, 2), arange(2).view(1, 2)).select(1, -1);
        var (ids, valid, positions) = PolicyGenerator.LeftPad([new GenerationRequest([5, 6, 7, 8], 0), new GenerationRequest([10, 11], 0)], 4, 0, CPU);
        var padded = model.Forward(ids, positions, valid).select(1, -1).narrow(0, 1, 1);
        Assert.True((alone - padded).abs().max().item<float>() <= 1e-5f);
    }
}
