using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>What to sample: one question at one step, as group <paramref name="Index"/> of that step.</summary>
/// <param name="Step">The RL step.</param>
/// <param name="Index">The group's index within the step.</param>
/// <param name="Item">The question.</param>
public sealed record GroupRequest(long Step, int Index, TaskItem Item);

/// <summary>
/// Samples the G outputs of prompt groups with the policy and scores each with a <see cref="RolloutScorer"/>. The
/// outputs of several groups go through the generator as one batch. Each output's random stream is seeded from
/// (run seed, step, group, sample) alone, so the same output comes out however groups are batched: by this class, by a
/// sampler actor, before or after a restart. Advantages are not computed here: only the learner sees the whole step,
/// which batch-level scaling needs, so it computes them once for every scaling (<see cref="GrpoLearner.Step"/>).
/// </summary>
public sealed class GroupSampler
{
    private readonly IPolicyTokenizer tokenizer;
    private readonly RolloutScorer scorer;
    private readonly SamplingOptions sampling;
    private readonly ulong runSeed;
    private readonly int groupSize;

    /// <summary>Creates a sampler for a run.</summary>
    public GroupSampler(IPolicyTokenizer tokenizer, RolloutScorer scorer, SamplingOptions sampling, ulong runSeed, int groupSize)
    {
        this.tokenizer = tokenizer;
        this.scorer = scorer;
        this.sampling = RolloutOptions(sampling, tokenizer);
        this.runSeed = runSeed;
        this.groupSize = groupSize;
    }

    /// <summary>The sampling options generation runs with (the tokenizer's end-of-sequence token as the default stop).</summary>
    public SamplingOptions Options => sampling;

    /// <summary><paramref name="sampling"/> with the tokenizer's end-of-sequence token as the stop when it names none.</summary>
    public static SamplingOptions RolloutOptions(SamplingOptions sampling, IPolicyTokenizer tokenizer) =>
        sampling with { StopTokenIds = sampling.StopTokenIds.Count > 0 ? sampling.StopTokenIds : [tokenizer.EosId] };

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

        // Every output of the batch is scored at once: code answers then run in parallel sandboxes.
        var scoring = new ScoringRequest[requests.Count * groupSize];
        for (int g = 0; g < requests.Count; g++)
            for (int s = 0; s < groupSize; s++)
                scoring[g * groupSize + s] = new ScoringRequest(requests[g].Item, s, results[g * groupSize + s], policyVersion);
        var scored = scorer.ScoreAll(scoring);
        var groups = new RolloutGroup[requests.Count];
        for (int g = 0; g < requests.Count; g++)
            groups[g] = new RolloutGroup(requests[g].Step, requests[g].Index, requests[g].Item, prompts[g], scored[(g * groupSize)..((g + 1) * groupSize)]);
        return groups;
    }
}
