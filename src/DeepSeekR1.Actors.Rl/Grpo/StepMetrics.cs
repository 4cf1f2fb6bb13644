namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// What one GRPO optimizer step looked like: the rollout side (rewards, accuracy, lengths) and the update side
/// (loss, KL, clipping, gradient). These are the curves the paper plots per step; build them with
/// <see cref="StepMetricsBuilder"/>.
/// </summary>
/// <param name="Groups">Prompt groups sampled for the step, including those dynamic sampling dropped.</param>
/// <param name="Outputs">Completions sampled for the step.</param>
/// <param name="MiniBatches">Loss evaluations (mini-batches) the update was made of.</param>
/// <param name="RewardMean">Mean total reward over all completions.</param>
/// <param name="RewardStd">Population standard deviation of the reward over all completions.</param>
/// <param name="Accuracy">Share of completions whose final answer was judged correct.</param>
/// <param name="FracZeroStdGroups">Share of groups whose rewards were all equal (no learning signal).</param>
/// <param name="KlMean">Mean k3 KL to the reference per completion token; <c>null</c> when no reference was used.</param>
/// <param name="ClipFractionLow">Share of completion tokens clipped at 1 - eps_low (negative advantage).</param>
/// <param name="ClipFractionHigh">Share of completion tokens clipped at 1 + eps_high (positive advantage).</param>
/// <param name="RatioMean">Mean importance ratio per completion token; drifts from 1 as later mini-batches go off-policy.</param>
/// <param name="Entropy">Mean policy entropy per completion token; <c>null</c> when the learner did not measure it.</param>
/// <param name="CompletionLengthMean">Mean completion length in tokens (the paper's "response length" curve).</param>
/// <param name="CompletionLengthMax">Longest completion in tokens.</param>
/// <param name="GradNorm">Mean over mini-batches of the global gradient norm before clipping.</param>
/// <param name="LearningRate">Learning rate the step used.</param>
/// <param name="Loss">Mean over mini-batches of the loss.</param>
/// <param name="StepSeconds">Wall-clock seconds of the whole step (generation included).</param>
/// <param name="ExpertLoadMaxOverMean">For a MoE policy: tokens of the busiest routed expert over the mean tokens per
/// expert, averaged over MoE layers and mini-batches (1 is perfect balance; DeepSeek-V3's auxiliary-loss-free biases
/// aim to keep it near 1); <c>null</c> for a dense policy.</param>
public sealed record StepMetrics(
    int Groups,
    int Outputs,
    int MiniBatches,
    double RewardMean,
    double RewardStd,
    double Accuracy,
    double FracZeroStdGroups,
    double? KlMean,
    double ClipFractionLow,
    double ClipFractionHigh,
    double RatioMean,
    double? Entropy,
    double CompletionLengthMean,
    int CompletionLengthMax,
    double GradNorm,
    double LearningRate,
    double Loss,
    double StepSeconds,
    double? ExpertLoadMaxOverMean = null);
