using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>What to sample: one question at one step, as group <paramref name="Index"/> of that step.</summary>
/// <param name="Step">The RL step.</param>
/// <param name="Index">The group's index within the step.</param>
/// <param name="Item">The question.</param>
public sealed record GroupRequest(long Step, int Index, TaskItem Item);

/// <summary>
/// Samples the G outputs of prompt groups with the policy, scores them with the rule-based rewards, and computes the
/// group-normalised advantages. The outputs of several groups go through the generator as one batch. Each output's
/// random stream is seeded from (run seed, step, group, sample) alone, so the same output comes out however groups are
/// batched: by this class, by a sampler actor, before or after a restart.
/// </summary>
public sealed class GroupSampler
{
    private readonly IPolicyTokenizer tokenizer;
    private readonly RewardComposer rewards;
    private readonly SamplingOptions sampling;
    private readonly ulong runSeed;
    private readonly int groupSize;
    private readonly AdvantageScaling scaling;

    /// <summary>Creates a sampler for a run.</summary>
    public GroupSampler(IPolicyTokenizer tokenizer, RewardComposer rewards, SamplingOptions sampling, ulong runSeed, int groupSize, AdvantageScaling scaling)
    {
        this.tokenizer = tokenizer;
        this.rewards = rewards;
        this.sampling = sampling with { StopTokenIds = sampling.StopTokenIds.Count > 0 ? sampling.StopTokenIds : [tokenizer.EosId] };
        this.runSeed = runSeed;
        this.groupSize = groupSize;
        this.scaling = scaling;
    }

    /// <summary>The sampling options generation runs with (the tokenizer's end-of-sequence token as the default stop).</summary>
    public SamplingOptions Options => sampling;

    /// <summary>The seed of one output's random stream.</summary>
    public static ulong SampleSeed(ulong runSeed, long step, int group, int sample) => Seeds.Derive(runSeed, "rollout", step, group, sample);

    /// <summary>Samples and scores every group in <paramref name="requests"/> with <paramref name="policy"/> at <paramref name="policyVersion"/>.</summary>
    public IReadOnlyList<RolloutGroup> Sample(PolicyModel policy, long policyVersion, IReadOnlyList<GroupRequest> requests)
    {
        var prompts = requests.Select(r => PromptFormat.Encode(tokenizer, r.Item)).ToArray();
        var generation = new List<GenerationRequest>(requests.Count * groupSize);
        for (int g = 0; g < requests.Count; g++)
            for (int s = 0; s < groupSize; s++)
                generation.Add(new GenerationRequest(prompts[g], SampleSeed(runSeed, requests[g].Step, requests[g].Index, s)));

        bool wasTraining = policy.training;
        policy.eval();
        var results = PolicyGenerator.Generate(policy, generation, sampling);
        if (wasTraining) policy.train();

        var groups = new RolloutGroup[requests.Count];
        for (int g = 0; g < requests.Count; g++)
        {
            var rollouts = new Rollout[groupSize];
            for (int s = 0; s < groupSize; s++)
                rollouts[s] = Score(requests[g].Item, s, results[g * groupSize + s], policyVersion);
            groups[g] = Finish(requests[g], prompts[g], rollouts);
        }
        return groups;
    }

    /// <summary>Scores one sampled output.</summary>
    public Rollout Score(TaskItem item, int sample, GenerationResult result, long policyVersion)
    {
        string text = PromptFormat.DecodeCompletion(tokenizer, result.TokenIds);
        var breakdown = rewards.Score(item, text);
        return new Rollout(sample, result.TokenIds, result.LogProbs, result.Finish, text, breakdown.Total,
            breakdown.IsCorrect, breakdown.Format.Value >= 1.0, breakdown.Answer, policyVersion);
    }

    /// <summary>Adds the group-normalised advantages to a group's scored outputs.</summary>
    public RolloutGroup Finish(GroupRequest request, IReadOnlyList<int> promptIds, IReadOnlyList<Rollout> rollouts)
    {
        // Batch-std scaling needs the whole batch: the learner rescales; here the group's own std stands in.
        var groupScaling = scaling == AdvantageScaling.BatchStd ? AdvantageScaling.GroupStd : scaling;
        var advantages = GroupAdvantages.Compute(rollouts.Select(r => r.Reward).ToArray(), groupScaling);
        return new RolloutGroup(request.Step, request.Index, request.Item, promptIds, rollouts, advantages);
    }
}
