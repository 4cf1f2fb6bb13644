namespace DeepSeekR1.Actors.Rl.Analysis;

/// <summary>One scored completion as the analyses see it: plain values, whatever stored or produced it.</summary>
/// <param name="Level">The question's difficulty 1..5 (0 when unknown).</param>
/// <param name="Completion">The decoded completion text.</param>
/// <param name="Tokens">Its length in tokens (what the learner trained on).</param>
/// <param name="Reward">Its total reward.</param>
/// <param name="Correct">Whether its final answer was judged correct.</param>
public sealed record CompletionRecord(int Level, string Completion, int Tokens, double Reward, bool Correct);
