using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Contracts;

// The value shapes that events and messages carry. They mirror RL-core records field by field instead of embedding
// them, so a refactor of the RL core cannot silently change what a journal holds: only these records define it.

/// <summary>A question as journaled (mirrors <see cref="TaskItem"/>).</summary>
/// <param name="Id">Stable id within its source.</param>
/// <param name="Text">The question without the template.</param>
/// <param name="Gold">The reference answer.</param>
/// <param name="Kind">How the gold answer is checked (journaled as its name).</param>
/// <param name="Level">Difficulty 1..5, 0 when unknown.</param>
/// <param name="Language">The question's language.</param>
/// <param name="Numbers">Countdown numbers; empty otherwise.</param>
public sealed record QuestionData(string Id, string Text, string Gold, AnswerKind Kind, int Level, string Language, IReadOnlyList<int> Numbers)
{
    /// <summary>The journaled form of <paramref name="item"/>.</summary>
    public static QuestionData From(TaskItem item) =>
        new(item.Id, item.Question, item.Gold, item.Kind, item.Level, item.Language, item.Numbers ?? []);

    /// <summary>Back to the RL core's record.</summary>
    public TaskItem ToTaskItem() =>
        new(Id, Text, Gold, Kind, Level, Language, Numbers.Count > 0 ? Numbers : null);
}

/// <summary>One scored output as journaled (mirrors <see cref="Rollout"/>).</summary>
/// <param name="Sample">Index within the group.</param>
/// <param name="CompletionIds">Sampled token ids.</param>
/// <param name="OldLogProbs">Log-probability of each sampled token under the sampling policy.</param>
/// <param name="Finish">Why generation stopped (journaled as its name).</param>
/// <param name="Completion">The decoded text the rewards read.</param>
/// <param name="Reward">The weighted total reward.</param>
/// <param name="Correct">Whether the accuracy rule passed.</param>
/// <param name="FormatOk">Whether the format rule passed.</param>
/// <param name="Answer">The extracted answer, if any.</param>
/// <param name="PolicyVersion">The policy version that sampled it.</param>
public sealed record RolloutData(
    int Sample, IReadOnlyList<int> CompletionIds, IReadOnlyList<float> OldLogProbs, FinishReason Finish, string Completion,
    double Reward, bool Correct, bool FormatOk, string? Answer, long PolicyVersion)
{
    /// <summary>The journaled form of <paramref name="r"/>.</summary>
    public static RolloutData From(Rollout r) =>
        new(r.Sample, r.CompletionIds, r.OldLogProbs, r.Finish, r.Completion, r.Reward, r.Correct, r.FormatOk, r.Answer, r.PolicyVersion);

    /// <summary>Back to the RL core's record.</summary>
    public Rollout ToRollout() =>
        new(Sample, CompletionIds, OldLogProbs, Finish, Completion, Reward, Correct, FormatOk, Answer, PolicyVersion);
}

/// <summary>A finished group as handed to the learner (mirrors <see cref="RolloutGroup"/>).</summary>
/// <param name="Step">The step.</param>
/// <param name="Index">The group's index in the step.</param>
/// <param name="Question">The question.</param>
/// <param name="PromptIds">The templated prompt's token ids.</param>
/// <param name="Rollouts">The G outputs in sample order.</param>
/// <param name="Advantages">
/// Empty since advantages are computed once, by the learner (journaled in <see cref="StepAdvantages"/>); groups that
/// finished before carry the group-normalised values their entity computed, which the learner does not read.
/// </param>
public sealed record GroupData(long Step, int Index, QuestionData Question, IReadOnlyList<int> PromptIds, IReadOnlyList<RolloutData> Rollouts, IReadOnlyList<double> Advantages)
{
    /// <summary>The journaled form of <paramref name="g"/>.</summary>
    public static GroupData From(RolloutGroup g) =>
        new(g.Step, g.Index, QuestionData.From(g.Item), g.PromptIds, g.Rollouts.Select(RolloutData.From).ToArray(), Advantages: []);

    /// <summary>Back to the RL core's record.</summary>
    public RolloutGroup ToRolloutGroup() =>
        new(Step, Index, Question.ToTaskItem(), PromptIds, Rollouts.Select(r => r.ToRollout()).ToArray());
}

/// <summary>A step's metrics as journaled (mirrors <see cref="StepMetrics"/>; see there for each field).</summary>
#pragma warning disable CS1591 // the parameters are documented on StepMetrics, field for field
public sealed record MetricsData(
    int Groups, int Outputs, int MiniBatches, double RewardMean, double RewardStd, double Accuracy, double FracZeroStdGroups,
    double? KlMean, double ClipFractionLow, double ClipFractionHigh, double RatioMean, double? Entropy,
    double CompletionLengthMean, int CompletionLengthMax, double GradNorm, double LearningRate, double Loss, double StepSeconds)
#pragma warning restore CS1591
{
    /// <summary>The journaled form of <paramref name="m"/>.</summary>
    public static MetricsData From(StepMetrics m) =>
        new(m.Groups, m.Outputs, m.MiniBatches, m.RewardMean, m.RewardStd, m.Accuracy, m.FracZeroStdGroups, m.KlMean,
            m.ClipFractionLow, m.ClipFractionHigh, m.RatioMean, m.Entropy, m.CompletionLengthMean, m.CompletionLengthMax,
            m.GradNorm, m.LearningRate, m.Loss, m.StepSeconds);

    /// <summary>Back to the RL core's record.</summary>
    public StepMetrics ToStepMetrics() =>
        new(Groups, Outputs, MiniBatches, RewardMean, RewardStd, Accuracy, FracZeroStdGroups, KlMean, ClipFractionLow,
            ClipFractionHigh, RatioMean, Entropy, CompletionLengthMean, CompletionLengthMax, GradNorm, LearningRate, Loss, StepSeconds);
}
