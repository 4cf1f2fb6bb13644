namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// How a reward's distance from its group mean is scaled into an advantage.
/// Every mode subtracts the mean of the reward's own group; they differ only in the divisor.
/// </summary>
public enum AdvantageScaling
{
    /// <summary>
    /// The GRPO paper (DeepSeekMath, DeepSeek-R1): <c>(r - mean(group)) / (std(group) + eps)</c>.
    /// Every group with any spread gets unit-scale advantages, whatever its absolute reward range.
    /// </summary>
    GroupStd,

    /// <summary>
    /// <c>(r - mean(group)) / (std(batch) + eps)</c>: one standard deviation over every reward in the batch.
    /// Groups that are nearly solved (small spread) keep small advantages instead of being blown up to unit scale,
    /// which is the question-difficulty bias Dr.GRPO points out in per-group scaling.
    /// </summary>
    BatchStd,

    /// <summary>Dr.GRPO: <c>r - mean(group)</c>, no scaling at all.</summary>
    None,
}
