using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>
/// Multi-head latent attention inside the policy: names, the latent cache (padding, dropped rows, bfloat16), gradients
/// and the cache's size against grouped-query attention. Its logits against an independent reference: MlaReferenceTests.
/// </summary>
public class LatentAttentionTests
{
    /// <summary>The tiny test MoE shape with latent attention (low-rank query, interleaved rotary channels, 2 groups).</summary>
    internal static ModelConfig Mla(int qLoraRank = 12) => TinyModels.Moe() with
    {
        Attention = AttentionKind.Mla, QLoraRank = qLoraRank, KvLoraRank = 10, QkNopeHeadDim = 6, QkRopeHeadDim = 4, VHeadDim = 5,
        RopeInterleave = true, ExpertGroups = 2, ExpertGroupsPerToken = 1,
    };

    [Fact]
    public void Parameters_carry_transformers_deepseek_v3_names()
    {
        using var low = new PolicyModel(Mla(), seed: 1);
        var names = low.named_parameters().Select(p => p.name).Where(n => n.StartsWith("model.layers.0.self_attn.", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["kv_a_layernorm.weight", "kv_a_proj_with_mqa.weight", "kv_b_proj.weight", "o_proj.weight", "q_a_layernorm.weight", "q_a_proj.weight", "q_b_proj.weight"],
            names.Select(n => n["model.layers.0.self_attn.".Length..]));
        using var plain = new PolicyModel(Mla(qLoraRank: 0), seed: 1);
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", plain.named_parameters().Select(p => p.name));
        Assert.Equal([10L + 4, 32], plain.state_dict()["model.layers.0.self_attn.kv_a_proj_with_mqa.weight"].shape);
        Assert.Equal([4L * (6 + 5), 10], plain.state_dict()["model.layers.0.self_attn.kv_b_proj.weight"].shape);
    }

    [Fact]
    public void Padded_batches_decode_through_the_latent_cache_as_a_full_recompute_does()
    {
        using var scope = NewDisposeScope();
        using var model = new PolicyModel(Mla(), seed: 7);
        using var _ = no_grad();
        var requests = new[] { new GenerationRequest([5, 6, 7, 8, 9], 0), new GenerationRequest([10, 11], 0), new GenerationRequest([12, 13, 14], 0) };
        var (ids, valid, positions) = PolicyGenerator.LeftPad(requests, 5, 0, CPU);
        var continuation = tensor(new long[] { 20, 21, 22, 30, 31, 32, 40, 41, 42 }, [3, 3]);
        using var cache = KvCache.ForModel(model.Config, 3, 8, ScalarType.Float32, CPU);
        model.Hidden(ids, positions, valid, cache);
        cache.Advance(5);
        var keyValid = valid;
        var incremental = new List<Tensor>();
        for (int t = 0; t < 3; t++)
        {
            keyValid = cat([keyValid, ones([3, 1], ScalarType.Bool)], 1);
            var pos = positions.select(1, -1).unsqueeze(1) + (t + 1);
            incremental.Add(model.Forward(continuation.narrow(1, t, 1), pos, keyValid, cache).squeeze(1));
            cache.Advance(1);
        }
        var full = model.Forward(cat([ids, continuation], 1),
            cat([positions, positions.select(1, -1).unsqueeze(1) + arange(1, 4).unsqueeze(0)], 1), keyValid);
        for (int t = 0; t < 3; t++)
        {
            var diff = (full.select(1, 5 + t) - incremental[t]).abs().max().item<float>();
            Assert.True(diff <= 1e-5f, $"step {t}: max |logit difference| {diff}");
        }
    }

    [Fact]
    public void Rows_that_finish_leave_the_latent_cache_without_changing_the_others()
    {
        using var model = new PolicyModel(Mla(), seed: 3);
        var options = SamplingOptions.Defaults with { MaxNewTokens = 10, Temperature = 1.0, StopTokenIds = Enumerable.Range(0, 97).Where(t => t % 4 == 0).ToArray() };
        var requests = Enumerable.Range(0, 6).Select(i => new GenerationRequest([4 + i, 5, 6], (ulong)i)).ToArray();
        var batched = PolicyGenerator.Generate(model, requests, options);
        Assert.Contains(batched, r => r.Finish == FinishReason.Stop && r.TokenIds.Count < 10);
        for (int i = 0; i < requests.Length; i++)
            Assert.Equal(PolicyGenerator.Generate(model, [requests[i]], options)[0].TokenIds, batched[i].TokenIds);
    }

    [Fact]
    public void A_bfloat16_latent_cache_stays_close_to_the_model_dtype_one()
    {
        using var model = new PolicyModel(Mla(), seed: 5);
        var request = new GenerationRequest([3, 4, 5, 6], 9);
        var exact = SamplingOptions.Defaults with { MaxNewTokens = 6, Temperature = 1.0, StopTokenIds = [96] };
        var a = PolicyGenerator.Generate(model, [request], exact)[0];
        var b = PolicyGenerator.Generate(model, [request], exact with { KvCacheDtype = KvCacheDtype.Bfloat16 })[0];
        Assert.Equal(a.TokenIds.Count, b.TokenIds.Count);
        Assert.True(Math.Abs(a.LogProbs[0] - b.LogProbs[0]) < 0.05, $"{a.LogProbs[0]} vs {b.LogProbs[0]}");
    }

    [Fact]
    public void Every_latent_attention_weight_gets_a_gradient()
    {
        using var model = new PolicyModel(Mla(), seed: 2);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 5, 9, 13, 17, 21 }, [1, 6]);
        var logits = model.Forward(ids, arange(6).unsqueeze(0));
        nn.functional.cross_entropy(logits[0, ..^1], ids[0, 1..]).backward();
        foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains(".self_attn.", StringComparison.Ordinal)))
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"{name} has no gradient");
    }

    [Fact]
    public void The_latent_cache_holds_the_latent_and_the_rotary_key_per_token_not_per_head_keys_and_values()
    {
        var mla = Mla();
        Assert.Equal(2L * (10 + 4), mla.KvCacheElementsPerToken);
        Assert.Equal(2L * 2 * 2 * 8, (mla with { Attention = AttentionKind.Gqa }).KvCacheElementsPerToken);   // 2 layers x k,v x 2 heads x 8
        Assert.Equal(4L * 2 * (10 + 4), KvCache.BytesPerToken(mla, ScalarType.Float32));
        Assert.Equal(2L * 2 * (10 + 4), KvCache.BytesPerToken(mla, ScalarType.BFloat16));

        using var cache = KvCache.ForModel(mla, 3, 7, ScalarType.Float32, CPU);
        Assert.True(cache.IsLatent);
        Assert.Throws<InvalidOperationException>(() => cache.Append(0, zeros(3, 2, 1, 8), zeros(3, 2, 1, 8)));
        using var rows = arange(3 * 2 * 14, ScalarType.Float32).view(3, 2, 14);
        cache.AppendLatent(0, rows);
        cache.AppendLatent(1, rows);
        cache.Advance(2);
        cache.KeepRows(tensor(new long[] { 2, 0 }));
        Assert.Equal(2, cache.Batch);
        using var kept = cache.AppendLatent(0, zeros(2, 1, 14));
        Assert.Equal([2L, 3, 14], kept.shape);
        Assert.Equal(rows[2].data<float>().ToArray(), kept[0, ..2].contiguous().data<float>().ToArray());
        Assert.Throws<InvalidOperationException>(() => KvCache.ForModel(TinyModels.Dense(), 1, 4, ScalarType.Float32, CPU).AppendLatent(0, zeros(1, 1, 14)));
    }
}
