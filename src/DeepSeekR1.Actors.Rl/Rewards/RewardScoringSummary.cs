namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>What a scoring run took.</summary>
/// <param name="Lines">Lines scored (blank lines are skipped).</param>
/// <param name="Seconds">Wall time of the whole run, reading and writing included.</param>
/// <param name="SlowestLine">The 1-based line number of the slowest line after the first one scored (0 when there was none).</param>
/// <param name="SlowestSeconds">How long that line took, parsing and scoring.</param>
/// <param name="FirstLineSeconds">How long the first line took; it also pays for loading and compiling the verifier.</param>
public sealed record RewardScoringSummary(int Lines, double Seconds, int SlowestLine, double SlowestSeconds, double FirstLineSeconds);
