using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// Turns one sampled output into a scored <see cref="Rollout"/>: decodes the completion the way the rewards must read
/// it, then applies the run's reward set. What a reward verifier does, and what <see cref="GroupSampler"/> does after
/// generating, so the two cannot score differently.
/// </summary>
/// <param name="tokenizer">The policy's tokenizer.</param>
/// <param name="rewards">The run's reward set (<see cref="RewardSets"/>).</param>
public sealed class RolloutScorer(IPolicyTokenizer tokenizer, RewardComposer rewards)
{
    /// <summary>The reward set in use.</summary>
    public RewardComposer Rewards => rewards;

    /// <summary>Scores output <paramref name="sample"/> of a group on <paramref name="item"/>, sampled at <paramref name="policyVersion"/>.</summary>
    public Rollout Score(TaskItem item, int sample, GenerationResult result, long policyVersion)
    {
        string text = PromptFormat.DecodeCompletion(tokenizer, result.TokenIds);
        var breakdown = rewards.Score(item, text);
        return new Rollout(sample, result.TokenIds, result.LogProbs, result.Finish, text, breakdown.Total,
            breakdown.IsCorrect, breakdown.Format.Value >= 1.0, breakdown.Answer, policyVersion);
    }
}
