namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>One sample's vote in a majority vote: the answer it extracted and whether that answer was judged correct.</summary>
/// <param name="Answer">The extracted final answer, or null when the sample gave none (it then does not vote).</param>
/// <param name="IsCorrect">Whether the verifier accepted the answer.</param>
public readonly record struct Ballot(string? Answer, bool IsCorrect);
