using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

public class DecodeAttentionTests
{
    // q [batch, heads, 1, dim] as a strided view (as the fused projection leaves it); k, v [batch, kvHeads, keys, dim]
    // as the filled part of a larger preallocated cache, in its layout (keys' positions contiguous); the mask
    // [batch, 1, 1, keys] with some keys closed.
    private static (Tensor Q, Tensor K, Tensor V, Tensor? Mask) Inputs(int batch, int heads, int kvHeads, int dim, int keys, bool masked, int seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var wide = randn([batch, 1, heads + 2, dim], generator: generator);
        var q = wide.narrow(2, 1, heads).transpose(1, 2);
        var k = randn([batch, kvHeads, dim, keys + 7], generator: generator).narrow(3, 0, keys).transpose(2, 3);
        var v = randn([batch, kvHeads, keys + 7, dim], generator: generator).narrow(2, 0, keys);
        Tensor? mask = null;
        if (masked)
        {
            // Row r's first r keys are padding; the newest key is always open.
            var open = ones([batch, keys], ScalarType.Bool);
            for (int r = 0; r < batch; r++)
                if (r > 0) open[r].narrow(0, 0, Math.Min(r, keys - 1)).fill_(false);
            mask = open.view(batch, 1, 1, keys);
        }
        return (q, k, v, mask);
    }

    private static Tensor Reference(Tensor q, Tensor k, Tensor v, Tensor? mask, int heads, int kvHeads)
    {
        long batch = q.shape[0], dim = q.shape[3];
        var kk = k.repeat_interleave(heads / kvHeads, dim: 1);
        var vv = v.repeat_interleave(heads / kvHeads, dim: 1);
        var attended = nn.functional.scaled_dot_product_attention(q, kk, vv, attn_mask: mask);
        return attended.transpose(1, 2).reshape(batch, 1, heads * dim);
    }

    // Each case runs the 256-bit loops and, where the machine has them (DecodeAttention.WideVectors), the 512-bit ones.
    [Theory]
    [InlineData(3, 4, 2, 64, 37, false)]   // grouped-query, the tiny model's head size
    [InlineData(4, 4, 4, 16, 5, true)]     // multi-head, padded rows
    [InlineData(5, 6, 2, 12, 50, true)]    // a head size that is not a multiple of the vector width
    [InlineData(2, 2, 1, 64, 1, false)]    // multi-query, a single key
    [InlineData(8, 4, 2, 64, 300, true)]
    [InlineData(3, 6, 2, 40, 70, true)]    // a group of three: a pair of heads and a single one
    [InlineData(2, 4, 4, 32, 33, false)]   // every block size of keys and of the head dimension, and both tails
    [InlineData(2, 8, 2, 48, 131, true)]   // two pairs per group; 512-bit: a 48-wide head is three single vectors
    [InlineData(3, 4, 2, 128, 64, false)]  // two 64-wide blocks of the head dimension, whole 64-key blocks, no tail
    public void Matches_libtorch_attention(int batch, int heads, int kvHeads, int dim, int keys, bool masked)
    {
        foreach (bool wide in new[] { false, true })
            AssertMatchesLibtorch(batch, heads, kvHeads, dim, keys, masked, wide);
    }

    private static void AssertMatchesLibtorch(int batch, int heads, int kvHeads, int dim, int keys, bool masked, bool wide)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (q, k, v, mask) = Inputs(batch, heads, kvHeads, dim, keys, masked, seed: batch * 31 + keys);
        Assert.True(DecodeAttention.Applies(q, k, v, mask));
        var expected = Reference(q, k, v, mask, heads, kvHeads);
        var actual = DecodeAttention.Attend(q, k, v, mask, heads, kvHeads, dim, allowWide: wide);
        Assert.Equal(expected.shape, actual.shape);
        float diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= 1e-5f, $"{(wide ? 512 : 256)}-bit loops: max |difference| {diff}");
    }

    [Fact]
    public void Closed_keys_get_no_weight()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (q, k, v, _) = Inputs(1, 2, 1, 8, 6, masked: false, seed: 5);
        // Huge values behind closed keys would dominate the output if they got any weight at all.
        v.narrow(2, 0, 3).fill_(1e6f);
        var mask = tensor(new[] { false, false, false, true, true, true }).view(1, 1, 1, 6);
        var actual = DecodeAttention.Attend(q, k, v, mask, 2, 1, 8);
        Assert.True(actual.abs().max().item<float>() < 100f);
        var open = Reference(q, k.narrow(2, 3, 3), v.narrow(2, 3, 3), null, 2, 1);
        Assert.True((open - actual).abs().max().item<float>() <= 1e-5f);
    }

    [Fact]
    public void Declines_what_it_cannot_serve()
    {
        using var scope = NewDisposeScope();
        var (q, k, v, mask) = Inputs(2, 4, 2, 16, 9, masked: true, seed: 1);
        Assert.False(DecodeAttention.Applies(q.to(ScalarType.Float64), k.to(ScalarType.Float64), v.to(ScalarType.Float64), mask));
        Assert.False(DecodeAttention.Applies(q.to(ScalarType.BFloat16), k, v, mask));
        // Under autograd with a trainable input the libtorch path must run, so gradients flow.
        var trainable = q.detach().requires_grad_(true);
        Assert.False(DecodeAttention.Applies(trainable, k, v, mask));
        using (no_grad()) Assert.True(DecodeAttention.Applies(trainable, k, v, mask));
        Assert.False(DecodeAttention.Applies(q, k, v, mask!.to(ScalarType.Float32)));
        Assert.False(DecodeAttention.Applies(q, k, v, mask.narrow(0, 0, 1)));   // a mask broadcast over rows
        Assert.False(DecodeAttention.Applies(q, k.contiguous(), v, mask));       // keys with the head dimension contiguous
    }
}

/// <summary>Tests that change libtorch's process-wide thread count run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SingleThreadedTorch
{
    public const string Name = "single-threaded libtorch";
}

[Collection(SingleThreadedTorch.Name)]
public class SingleThreadedDecodingTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Decoding_through_the_kernel_gives_the_logits_of_a_full_recompute(int kvHeads)
    {
        int previous = get_num_threads();
        set_num_threads(1);   // the process setting under which CausalSelfAttention uses DecodeAttention
        try
        {
            KvCacheTests.AssertIncrementalDecodingMatchesRecompute(kvHeads, fused: false);
            KvCacheTests.AssertIncrementalDecodingMatchesRecompute(kvHeads, fused: true);
        }
        finally
        {
            set_num_threads(previous);
        }
    }
}
