namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>A preference pair as token ids (each <see cref="RewardModelInput.Encode"/>d, EOS last).</summary>
/// <param name="Chosen">The better response's sequence.</param>
/// <param name="Rejected">The worse response's sequence.</param>
public sealed record EncodedPair(int[] Chosen, int[] Rejected);

/// <summary>A labelled response as token ids.</summary>
/// <param name="Ids">The (prompt, response) sequence, EOS last.</param>
/// <param name="Safe">The label: true = safe.</param>
public sealed record EncodedLabel(int[] Ids, bool Safe);
