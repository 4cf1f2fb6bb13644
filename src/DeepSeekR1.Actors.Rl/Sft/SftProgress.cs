namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>A progress report of the trainer, averaged over the steps since the previous report.</summary>
/// <param name="Step">Optimizer steps done so far (1-based: 1 after the first step).</param>
/// <param name="TotalSteps">Steps the run will take.</param>
/// <param name="Loss">Mean completion-token NLL over the steps since the last report.</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
/// <param name="GradNorm">Global gradient norm before clipping at the last step.</param>
/// <param name="TokensPerSecond">Real tokens (prompt + completion) processed per second since the last report.</param>
/// <param name="Tokens">Real tokens processed since the start.</param>
public sealed record SftProgress(long Step, long TotalSteps, double Loss, double LearningRate, double GradNorm, double TokensPerSecond, long Tokens);

/// <summary>What a training run did.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="SkippedSteps">Steps whose gradient was not finite and so were not applied.</param>
/// <param name="FirstLoss">Loss of the first step (before any update).</param>
/// <param name="FinalLoss">Mean loss of the last reporting window.</param>
/// <param name="Tokens">Real tokens processed.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="Log">Every progress report, in order.</param>
public sealed record SftResult(long Steps, long SkippedSteps, double FirstLoss, double FinalLoss, long Tokens, double Seconds, IReadOnlyList<SftProgress> Log)
{
    /// <summary>Real tokens per second over the whole run.</summary>
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
}
