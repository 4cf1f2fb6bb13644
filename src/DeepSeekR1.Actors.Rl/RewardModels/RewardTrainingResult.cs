namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>A progress report of reward-model training.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps the run takes.</param>
/// <param name="Loss">Mean loss over the steps since the last report.</param>
/// <param name="Accuracy">Training accuracy over those steps (pairwise or classification).</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
public sealed record RewardProgress(long Step, long TotalSteps, double Loss, double Accuracy, double LearningRate);

/// <summary>What a training run did.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="FirstLoss">Loss of the first step (log 2 for a fresh head under Bradley-Terry and BCE alike).</param>
/// <param name="FinalLoss">Mean loss over the last reporting window.</param>
/// <param name="Seconds">Wall-clock time.</param>
/// <param name="Log">Every progress report.</param>
public sealed record RewardTrainingResult(long Steps, double FirstLoss, double FinalLoss, double Seconds, IReadOnlyList<RewardProgress> Log);
