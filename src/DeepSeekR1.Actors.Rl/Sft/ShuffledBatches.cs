using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>
/// Batches of a fixed data set: each epoch is a fresh permutation drawn from (seed, epoch), cut into consecutive
/// batches; the last batch of an epoch may be short. The order depends only on the seed, so a rerun (or a resume at
/// any step) sees exactly the same batches.
/// </summary>
public sealed class ShuffledBatches : ISftBatchSource
{
    private readonly IReadOnlyList<SftExample> _examples;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private int _cachedEpoch = -1;
    private int[] _order = [];

    /// <summary>Batches of <paramref name="batchSize"/> over <paramref name="examples"/>, ordered by <paramref name="seed"/>.</summary>
    public ShuffledBatches(IReadOnlyList<SftExample> examples, int batchSize, ulong seed)
    {
        if (examples.Count == 0) throw new ArgumentException("the data set is empty", nameof(examples));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _examples = examples;
        _batchSize = batchSize;
        _seed = seed;
    }

    /// <summary>Batches in one pass over the data.</summary>
    public int BatchesPerEpoch => (_examples.Count + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    public IReadOnlyList<SftExample> BatchAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        int epoch = (int)(step / BatchesPerEpoch);
        int start = (int)(step % BatchesPerEpoch) * _batchSize;
        var order = OrderOf(epoch);
        int count = Math.Min(_batchSize, order.Length - start);
        return Enumerable.Range(start, count).Select(i => _examples[order[i]]).ToArray();
    }

    private int[] OrderOf(int epoch)
    {
        if (epoch != _cachedEpoch)
        {
            _order = Enumerable.Range(0, _examples.Count).ToArray();
            new SeededRandom(Seeds.Derive(_seed, "sft-order", epoch)).Shuffle(_order);
            _cachedEpoch = epoch;
        }
        return _order;
    }
}
