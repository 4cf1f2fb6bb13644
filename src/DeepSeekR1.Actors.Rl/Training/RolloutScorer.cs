using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Rewards.Code;
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

    /// <summary>
    /// Scores many outputs, each as <see cref="Score(TaskItem, int, GenerationResult, long)"/> does, in their order. Code
    /// answers run in parallel, up to the code reward's <c>max-parallel</c>, on threads of their own: each waits on a
    /// sandbox process for up to its deadline, and blocking the thread pool's threads that long would starve what shares
    /// them (Akka's dispatchers, its heartbeats). The in-process rules run one by one on the calling thread.
    /// </summary>
    public Rollout[] ScoreAll(IReadOnlyList<ScoringRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var scored = new Rollout[requests.Count];
        int parallel = requests.Count == 0 ? 1 : requests.Max(r => rewards.ParallelismFor(r.Item.Kind));
        if (parallel <= 1)
        {
            for (int i = 0; i < requests.Count; i++) scored[i] = ScoreOne(requests[i]);
            return scored;
        }
        ScoringThreads.For(requests.Count, parallel, i => scored[i] = ScoreOne(requests[i]));
        return scored;
    }

    private Rollout ScoreOne(ScoringRequest r) => Score(r.Item, r.Sample, r.Result, r.PolicyVersion);
}

/// <summary>One output to score: sample <paramref name="Sample"/> of <paramref name="Item"/>'s group, sampled at <paramref name="PolicyVersion"/>.</summary>
/// <param name="Item">The question.</param>
/// <param name="Sample">The output's index in its group.</param>
/// <param name="Result">What generation produced.</param>
/// <param name="PolicyVersion">The policy version that sampled it.</param>
public sealed record ScoringRequest(TaskItem Item, int Sample, GenerationResult Result, long PolicyVersion);
