using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// The reward sets the commands use, in one place: every task's accuracy rule (the math verifier, and the Countdown
/// checker for expression answers), the format rule and language consistency, weighted. Training takes its weights
/// from <c>r1.grpo</c>; evaluation, rejection sampling and the pretraining probe score with R1-Zero's rule weights, so
/// their figures are comparable with one another whatever a run was trained with.
/// </summary>
public static class RewardSets
{
    /// <summary>Every rule, weighted by <paramref name="weights"/>; code answers run in <paramref name="code"/>'s sandbox when given.</summary>
    public static RewardComposer For(RewardWeights weights, CodeRewards? code = null) => new(weights, CountdownChecker.Check, code: code);

    /// <summary>What held-out figures are measured with: R1-Zero's accuracy and format weights.</summary>
    public static RewardComposer Evaluation => For(RewardWeights.R1Zero);

    /// <summary>The evaluation set, with <paramref name="code"/>'s sandbox for code answers.</summary>
    public static RewardComposer EvaluationWith(CodeRewards? code) => For(RewardWeights.R1Zero, code);
}
