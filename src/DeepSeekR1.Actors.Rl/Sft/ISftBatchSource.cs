namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>Where the trainer's batches come from: a fixed data set in shuffled order, or a generated stream.</summary>
public interface ISftBatchSource
{
    /// <summary>The examples of optimizer step <paramref name="step"/> (0-based); the same step always gives the same batch.</summary>
    IReadOnlyList<SftExample> BatchAt(long step);
}
