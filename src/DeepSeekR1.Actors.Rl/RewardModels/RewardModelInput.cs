using DeepSeekR1.Actors.Model.Tokenizers;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// What a reward model reads: one conversation turn as plain text, <c>User: {prompt}\nAssistant: {response}</c>,
/// followed by the end-of-sequence token whose hidden state the head scores. One format for training and for scoring,
/// so a served reward model sees exactly what it learned on.
/// </summary>
public static class RewardModelInput
{
    /// <summary>The text of one (prompt, response) turn.</summary>
    public static string Format(string prompt, string response) => $"User: {prompt}\nAssistant: {response}";

    /// <summary>
    /// Token ids of the turn plus EOS, at most <paramref name="maxLength"/> long: an overlong turn loses the start of its
    /// text (the end, where the head reads, is what must stay).
    /// </summary>
    public static int[] Encode(IPolicyTokenizer tokenizer, string prompt, string response, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var ids = tokenizer.Encode(Format(prompt, response)).Append(tokenizer.EosId).ToArray();
        return ids.Length <= maxLength ? ids : ids[^maxLength..];
    }

    /// <summary>Right-pads sequences into ids [n, longest] and valid [n, longest] on <paramref name="device"/>.</summary>
    public static (Tensor Ids, Tensor Valid) Pad(IReadOnlyList<int[]> sequences, int padId, Device device)
    {
        if (sequences.Count == 0 || sequences.Any(s => s.Length == 0)) throw new ArgumentException("need at least one non-empty sequence", nameof(sequences));
        int rows = sequences.Count, seq = sequences.Max(s => s.Length);
        var ids = new long[rows * seq];
        var valid = new bool[rows * seq];
        Array.Fill(ids, padId);
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < sequences[r].Length; t++)
            {
                ids[r * seq + t] = sequences[r][t];
                valid[r * seq + t] = true;
            }
        return (tensor(ids, [rows, seq], device: device), tensor(valid, [rows, seq], device: device));
    }
}
