using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>
/// A right-padded batch: every row starts at position 0, so <see cref="Model.Training.TokenLogProbs"/> scores it
/// directly. <see cref="Scored"/> marks completion tokens only: prompt and padding never contribute to the loss.
/// </summary>
/// <param name="Ids">[batch, seq] token ids, padding after each row's last token.</param>
/// <param name="Valid">[batch, seq] true for real tokens.</param>
/// <param name="Scored">[batch, seq] true for completion tokens (the training targets).</param>
/// <param name="Tokens">Number of real tokens (prompt + completion) in the batch, for throughput.</param>
public sealed record SftBatch(Tensor Ids, Tensor Valid, Tensor Scored, long Tokens) : IDisposable
{
    /// <summary>
    /// Builds the batch of <paramref name="examples"/>, cut to <paramref name="maxSeqLen"/> tokens each (the end of an
    /// overlong completion is dropped; a prompt that fills the window leaves nothing to score in that row).
    /// </summary>
    public static SftBatch Build(IReadOnlyList<SftExample> examples, int padId, int maxSeqLen, Device? device = null)
    {
        if (examples.Count == 0) throw new ArgumentException("a batch needs at least one example", nameof(examples));
        int seq = Math.Min(maxSeqLen, examples.Max(e => e.Length));
        int rows = examples.Count;
        var ids = new long[rows * seq];
        var valid = new bool[rows * seq];
        var scored = new bool[rows * seq];
        Array.Fill(ids, padId);
        long tokens = 0;
        for (int r = 0; r < rows; r++)
        {
            var example = examples[r];
            int length = Math.Min(seq, example.Length);
            for (int t = 0; t < length; t++)
            {
                int at = r * seq + t;
                bool completion = t >= example.PromptIds.Count;
                ids[at] = completion ? example.CompletionIds[t - example.PromptIds.Count] : example.PromptIds[t];
                valid[at] = true;
                // Position 0 has nothing before it to predict it from.
                scored[at] = completion && t > 0;
            }
            tokens += length;
        }
        return new SftBatch(tensor(ids, [rows, seq], device: device), tensor(valid, [rows, seq], device: device),
            tensor(scored, [rows, seq], device: device), tokens);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Ids.Dispose();
        Valid.Dispose();
        Scored.Dispose();
    }
}
