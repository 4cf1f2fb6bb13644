namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Chooses which training items each RL step uses, as a pure function of (run seed, step, batch size,
/// pool size). Each epoch is a fresh seeded permutation of the pool cut into whole batches, so no item
/// repeats within an epoch, and a run resumed at step s picks exactly the prompts it would have picked.
/// The few items left over when the pool is not a multiple of the batch size are skipped for that epoch
/// only (the next epoch's permutation puts different items at the end).
/// </summary>
public static class PromptSelection
{
    private const string Purpose = "prompt-epoch";

    /// <summary>How many steps one pass over the pool takes.</summary>
    /// <param name="batchSize">Questions per step, at least 1 and at most <paramref name="poolSize"/>.</param>
    /// <param name="poolSize">Items in the training pool.</param>
    /// <returns>The number of whole batches in the pool.</returns>
    public static long StepsPerEpoch(int batchSize, int poolSize)
    {
        Validate(batchSize, poolSize);
        return poolSize / batchSize;
    }

    /// <summary>The epoch that <paramref name="step"/> falls in.</summary>
    /// <param name="step">Zero-based step number.</param>
    /// <param name="batchSize">Questions per step.</param>
    /// <param name="poolSize">Items in the training pool.</param>
    /// <returns>Zero-based epoch number.</returns>
    public static long EpochOf(long step, int batchSize, int poolSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return step / StepsPerEpoch(batchSize, poolSize);
    }

    /// <summary>The pool indices step <paramref name="step"/> trains on.</summary>
    /// <param name="runSeed">The run's seed.</param>
    /// <param name="step">Zero-based step number.</param>
    /// <param name="batchSize">Questions per step, at least 1 and at most <paramref name="poolSize"/>.</param>
    /// <param name="poolSize">Items in the training pool.</param>
    /// <returns><paramref name="batchSize"/> distinct indices into the pool.</returns>
    public static int[] Batch(ulong runSeed, long step, int batchSize, int poolSize)
    {
        long stepsPerEpoch = StepsPerEpoch(batchSize, poolSize);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        long epoch = step / stepsPerEpoch;
        int offset = (int)(step % stepsPerEpoch) * batchSize;
        return Permutation(Seeds.Derive(runSeed, Purpose, epoch), poolSize)[offset..(offset + batchSize)];
    }

    /// <summary>A uniformly random permutation of 0..<paramref name="count"/>-1 fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">The permutation's seed.</param>
    /// <param name="count">How many indices to permute.</param>
    /// <returns>Each index from 0 to count-1 exactly once.</returns>
    public static int[] Permutation(ulong seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] order = Enumerable.Range(0, count).ToArray();
        new SeededRandom(seed).Shuffle(order);
        return order;
    }

    private static void Validate(int batchSize, int poolSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (poolSize < batchSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(poolSize), $"The pool ({poolSize} items) is smaller than one batch ({batchSize}).");
        }
    }
}
