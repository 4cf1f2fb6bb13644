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
/// </summary>
public sealed class KvCache : IDisposable
{
    private Tensor[] keys;
    private Tensor[] values;

    /// <summary>
    /// An empty cache. With an <paramref name="arena"/> its buffers are views of the arena's memory (kept between
    /// generations); without one they are allocated here and freed on <see cref="Dispose"/>.
    /// </summary>
    public KvCache(int layers, long batch, int kvHeads, int capacity, int headDim, ScalarType dtype, Device device,
        KvCacheArena? arena = null)
    {
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

    /// <summary>Positions filled so far (the same for every row: rows are left-padded to a common length).</summary>
    public int Length { get; private set; }

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Rows in the cache.</summary>
    public long Batch => keys[0].shape[0];

    /// <summary>
    /// Writes the new keys/values of one layer ([batch, kvHeads, t, headDim]) after the filled part and returns views
    /// of everything filled, including them, both [batch, kvHeads, length, headDim] (the keys' view has positions
    /// as its contiguous axis). The caller advances <see cref="Length"/> once all layers have written.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        long t = newKeys.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache overflow: {Length} + {t} positions exceed capacity {Capacity}");
        keys[layer].narrow(3, Length, t).copy_(newKeys.transpose(2, 3));
        values[layer].narrow(2, Length, t).copy_(newValues);
        return (keys[layer].narrow(3, 0, Length + t).transpose(2, 3), values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Marks <paramref name="t"/> more positions as filled (after every layer appended them).</summary>
    public void Advance(int t) => Length += t;

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
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
