using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>One sampled output of a group, with what the learner needs (token ids, pi_old) and its reward.</summary>
/// <param name="Sample">Index of the output within its group (0..G-1).</param>
/// <param name="CompletionIds">The sampled token ids, the stop token included when one was sampled.</param>
/// <param name="OldLogProbs">Log-probability of each sampled token under the sampling policy.</param>
/// <param name="Finish">Why generation stopped.</param>
/// <param name="Completion">The decoded text the rewards scored.</param>
/// <param name="Reward">The weighted total reward.</param>
/// <param name="Correct">Whether the accuracy rule passed.</param>
/// <param name="FormatOk">Whether the format rule passed.</param>
/// <param name="Answer">The extracted final answer, if any.</param>
/// <param name="PolicyVersion">Version of the policy that sampled it.</param>
public sealed record Rollout(
    int Sample,
    IReadOnlyList<int> CompletionIds,
    IReadOnlyList<float> OldLogProbs,
    FinishReason Finish,
    string Completion,
    double Reward,
    bool Correct,
    bool FormatOk,
    string? Answer,
    long PolicyVersion);

/// <summary>A finished prompt group: one question at one step and its G scored outputs (the learner computes the advantages).</summary>
/// <param name="Step">The RL step the group belongs to.</param>
/// <param name="Index">The group's index within the step.</param>
/// <param name="Item">The question.</param>
/// <param name="PromptIds">The templated prompt's token ids.</param>
/// <param name="Rollouts">The G outputs, ordered by <see cref="Rollout.Sample"/>.</param>
public sealed record RolloutGroup(
    long Step,
    int Index,
    TaskItem Item,
    IReadOnlyList<int> PromptIds,
    IReadOnlyList<Rollout> Rollouts)
{
    /// <summary>A stable id: step and index, unique within a run.</summary>
    public string GroupId => $"s{Step:D6}-g{Index:D4}";

    /// <summary>The rewards in sample order.</summary>
    public IReadOnlyList<double> Rewards => Rollouts.Select(r => r.Reward).ToArray();
}
