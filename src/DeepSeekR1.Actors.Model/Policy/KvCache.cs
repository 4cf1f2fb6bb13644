using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Keys and values of every layer for a batch being generated, preallocated to the longest sequence the batch may
/// reach, so that appending a token is an in-place copy rather than a reallocation. <see cref="Length"/> positions are
/// filled. Values are stored [batch, kvHeads, capacity, headDim]. Keys are stored transposed,
/// [batch, kvHeads, headDim, capacity]: a decoding step multiplies one query by every key, and with positions
/// contiguous that is a row of broadcast-multiply-adds over many keys at once rather than one dot product (and one
/// horizontal sum) per key (<see cref="DecodeAttention"/>; libtorch's batched matmul reads this layout as is too).
/// <see cref="Append"/> hands out both as [batch, kvHeads, length, headDim] views, so callers see one shape.
/// A cache for multi-head latent attention (<see cref="ForModel"/> with <see cref="AttentionKind.Mla"/>) holds instead one
/// row per token and layer, [batch, capacity, kv_lora_rank + qk_rope_head_dim]: the compressed latent and the rotated
/// key all heads share, never the per-head keys and values decompressed from them (<see cref="AppendLatent"/>).
/// </summary>
public sealed class KvCache : IDisposable
{
    private Tensor[] keys;
    private Tensor[] values;
    private readonly Tensor[] latents = [];
    // The model's index of this cache's first layer: 0 for the main stack, num-layers for the multi-token prediction
    // layers' own cache (ForMtp), whose attention asks for its slot by the layer's index in the whole stack.
    private readonly int firstLayer;

    /// <summary>
    /// An empty cache. With an <paramref name="arena"/> its buffers are views of the arena's memory (kept between
    /// generations); without one they are allocated here and freed on <see cref="Dispose"/>.
    /// </summary>
    public KvCache(int layers, long batch, int kvHeads, int capacity, int headDim, ScalarType dtype, Device device,
        KvCacheArena? arena = null) : this(layers, batch, kvHeads, capacity, headDim, dtype, device, arena, firstLayer: 0)
    {
    }

    private KvCache(int layers, long batch, int kvHeads, int capacity, int headDim, ScalarType dtype, Device device,
        KvCacheArena? arena, int firstLayer)
    {
        this.firstLayer = firstLayer;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        long perBuffer = batch * kvHeads * headDim * (long)capacity;
        // Created outside any dispose scope of the caller's step: the cache outlives every step.
        using (NewDisposeScope())
        {
            var flat = arena?.Rent(2 * layers * perBuffer, dtype, device);
            Tensor Buffer(int index, long[] shape) => flat is null
                ? zeros(shape, dtype, device).DetachFromDisposeScope()
                : flat.narrow(0, index * perBuffer, perBuffer).view(shape).DetachFromDisposeScope();
            for (int i = 0; i < layers; i++)
            {
                keys[i] = Buffer(2 * i, [batch, kvHeads, headDim, capacity]);
                values[i] = Buffer(2 * i + 1, [batch, kvHeads, capacity, headDim]);
            }
        }
        Capacity = capacity;
    }

    /// <summary>
    /// The cache <paramref name="config"/>'s attention needs: per-head keys and values (GQA) or one latent row per token
    /// (MLA), for <paramref name="batch"/> rows of up to <paramref name="capacity"/> positions.
    /// </summary>
    public static KvCache ForModel(ModelConfig config, long batch, int capacity, ScalarType dtype, Device device, KvCacheArena? arena = null) =>
        config.IsLatentAttention
            ? new KvCache(config.NumLayers, batch, capacity, config.KvLoraRank + config.QkRopeHeadDim, dtype, device, arena)
            : new KvCache(config.NumLayers, batch, config.NumKvHeads, capacity, config.HeadDim, dtype, device, arena);

    /// <summary>
    /// The cache of <paramref name="config"/>'s multi-token prediction layers (layers num-layers .. num-layers +
    /// mtp-layers - 1 of the stack), for speculative decoding: each module is a decoder block whose attention reads its
    /// own earlier positions, so drafting needs their keys as the main model needs its own. Its own
    /// <see cref="Length"/>, since the modules run over other positions than the main model at each step.
    /// </summary>
    public static KvCache ForMtp(ModelConfig config, long batch, int capacity, ScalarType dtype, Device device)
    {
        if (config.MtpLayers == 0) throw new ArgumentException("the model has no multi-token prediction layers (r1.model.mtp-layers = 0)", nameof(config));
        return config.IsLatentAttention
            ? new KvCache(config.MtpLayers, batch, capacity, config.KvLoraRank + config.QkRopeHeadDim, dtype, device, null, config.NumLayers)
            : new KvCache(config.MtpLayers, batch, config.NumKvHeads, capacity, config.HeadDim, dtype, device, null, config.NumLayers);
    }

    /// <summary>
    /// Bytes the cache of <paramref name="config"/> holds per token (all layers) when stored as <paramref name="dtype"/>:
    /// what a generation's memory grows by for each prompt or completion token of each row.
    /// </summary>
    public static long BytesPerToken(ModelConfig config, ScalarType dtype) => config.KvCacheElementsPerToken * dtype switch
    {
        ScalarType.Float64 => 8,
        ScalarType.Float32 => 4,
        ScalarType.BFloat16 or ScalarType.Float16 => 2,
        var other => throw new ArgumentException($"no KV cache of {other} elements", nameof(dtype)),
    };

    /// <summary>A latent cache: one row of <paramref name="width"/> elements per token and layer.</summary>
    private KvCache(int layers, long batch, int capacity, int width, ScalarType dtype, Device device, KvCacheArena? arena, int firstLayer = 0)
    {
        this.firstLayer = firstLayer;
        keys = [];
        values = [];
        latents = new Tensor[layers];
        long perBuffer = batch * width * (long)capacity;
        using (NewDisposeScope())
        {
            var flat = arena?.Rent(layers * perBuffer, dtype, device);
            for (int i = 0; i < layers; i++)
                latents[i] = (flat is null
                    ? zeros([batch, capacity, width], dtype, device)
                    : flat.narrow(0, i * perBuffer, perBuffer).view(batch, capacity, width)).DetachFromDisposeScope();
        }
        Capacity = capacity;
    }

    /// <summary>Whether this cache holds latent rows (MLA) rather than per-head keys and values.</summary>
    public bool IsLatent => latents.Length > 0;

    /// <summary>Positions filled so far (the same for every row: rows are left-padded to a common length).</summary>
    public int Length { get; private set; }

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Rows in the cache.</summary>
    public long Batch => IsLatent ? latents[0].shape[0] : keys[0].shape[0];

    /// <summary>
    /// Writes the new keys/values of one layer ([batch, kvHeads, t, headDim]) after the filled part and returns views
    /// of everything filled, including them, both [batch, kvHeads, length, headDim] (the keys' view has positions
    /// as its contiguous axis). The caller advances <see cref="Length"/> once all layers have written.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        if (IsLatent) throw new InvalidOperationException("this KV cache holds latent rows (multi-head latent attention), not keys and values");
        long t = newKeys.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache overflow: {Length} + {t} positions exceed capacity {Capacity}");
        layer = Slot(layer);
        keys[layer].narrow(3, Length, t).copy_(newKeys.transpose(2, 3));
        values[layer].narrow(2, Length, t).copy_(newValues);
        return (keys[layer].narrow(3, 0, Length + t).transpose(2, 3), values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>
    /// MLA: writes one layer's new latent rows ([batch, t, width]) after the filled part and returns a view of every
    /// filled row, [batch, length, width]. The caller advances <see cref="Length"/> once all layers have written.
    /// </summary>
    public Tensor AppendLatent(int layer, Tensor rows)
    {
        if (!IsLatent) throw new InvalidOperationException("this KV cache holds per-head keys and values, not latent rows");
        long t = rows.shape[1];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache overflow: {Length} + {t} positions exceed capacity {Capacity}");
        layer = Slot(layer);
        latents[layer].narrow(1, Length, t).copy_(rows);
        return latents[layer].narrow(1, 0, Length + t);
    }

    /// <summary>Marks <paramref name="t"/> more positions as filled (after every layer appended them).</summary>
    public void Advance(int t) => Length += t;

    /// <summary>
    /// Forgets every position from <paramref name="length"/> on: speculative decoding's rejected draft. Nothing is
    /// erased; every read is a view of the first <see cref="Length"/> (+ new) positions, so the forgotten ones are never
    /// seen again, and the next <see cref="Append"/> writes over them in place.
    /// </summary>
    public void RollBack(int length)
    {
        if (length < 0 || length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"cannot roll the KV cache back to {length} positions: it holds {Length}");
        Length = length;
    }

    // The index into this cache's buffers of the model's layer `layer`.
    private int Slot(int layer)
    {
        int slot = layer - firstLayer;
        int count = IsLatent ? latents.Length : keys.Length;
        if (slot < 0 || slot >= count)
            throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer} has no slot in this KV cache (layers {firstLayer}..{firstLayer + count - 1})");
        return slot;
    }

    /// <summary>Keeps only the rows in <paramref name="rows"/> (int64 indices), so finished sequences stop costing compute.</summary>
    public void KeepRows(Tensor rows)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            var k = keys[i].index_select(0, rows).DetachFromDisposeScope();
            var v = values[i].index_select(0, rows).DetachFromDisposeScope();
            keys[i].Dispose();
            values[i].Dispose();
            keys[i] = k;
            values[i] = v;
        }
        for (int i = 0; i < latents.Length; i++)
        {
            var kept = latents[i].index_select(0, rows).DetachFromDisposeScope();
            latents[i].Dispose();
            latents[i] = kept;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
        foreach (var t in latents) t.Dispose();
    }
}
