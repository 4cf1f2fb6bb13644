using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>One output as the learner trains on it: its prompt, the rollout, and the rollout's advantage.</summary>
/// <param name="PromptIds">The prompt's token ids.</param>
/// <param name="Rollout">The sampled output.</param>
/// <param name="Advantage">Its advantage.</param>
public sealed record TrainingRow(IReadOnlyList<int> PromptIds, Rollout Rollout, double Advantage);

/// <summary>
/// A mini-batch packed into tensors: each row is prompt + completion, right-padded; <see cref="Scored"/> marks the
/// completion tokens (the only ones the loss sees), and <see cref="OldLogProbs"/> holds the sampler's log-prob of each
/// completion token at its position.
/// </summary>
/// <param name="Ids">[rows, length] token ids.</param>
/// <param name="Valid">[rows, length] true for real tokens.</param>
/// <param name="Scored">[rows, length] true for completion tokens.</param>
/// <param name="OldLogProbs">[rows, length] pi_old of completion tokens, 0 elsewhere.</param>
/// <param name="Advantages">[rows] the advantage of each row.</param>
public sealed record TrainingBatch(Tensor Ids, Tensor Valid, Tensor Scored, Tensor OldLogProbs, Tensor Advantages)
{
    /// <summary>Packs <paramref name="rows"/> on <paramref name="device"/>.</summary>
    public static TrainingBatch Pack(IReadOnlyList<TrainingRow> rows, int padId, Device device)
    {
        int length = rows.Max(r => r.PromptIds.Count + r.Rollout.CompletionIds.Count);
        int n = rows.Count;
        var ids = new long[n * length];
        var valid = new bool[n * length];
        var scored = new bool[n * length];
        var old = new float[n * length];
        Array.Fill(ids, padId);
        for (int r = 0; r < n; r++)
        {
            var prompt = rows[r].PromptIds;
            var completion = rows[r].Rollout.CompletionIds;
            var logProbs = rows[r].Rollout.OldLogProbs;
            int at = r * length;
            for (int t = 0; t < prompt.Count; t++, at++) { ids[at] = prompt[t]; valid[at] = true; }
            for (int t = 0; t < completion.Count; t++, at++) { ids[at] = completion[t]; valid[at] = true; scored[at] = true; old[at] = logProbs[t]; }
        }
        return new TrainingBatch(
            tensor(ids, [n, length], device: device),
            tensor(valid, [n, length], device: device),
            tensor(scored, [n, length], device: device),
            tensor(old, [n, length], device: device),
            tensor(rows.Select(r => (float)r.Advantage).ToArray(), device: device));
    }
}
