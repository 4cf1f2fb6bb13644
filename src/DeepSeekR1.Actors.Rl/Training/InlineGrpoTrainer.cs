using System.Diagnostics;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>What one step of a run produced.</summary>
/// <param name="Step">The step (0-based).</param>
/// <param name="Metrics">The learner's metrics for it.</param>
/// <param name="SamplingSeconds">Time spent generating and scoring rollouts.</param>
/// <param name="Groups">The finished groups the update used.</param>
/// <param name="Advantages">Each group's advantages as the learner computed them, in the order of <paramref name="Groups"/>.</param>
public sealed record StepResult(long Step, StepMetrics Metrics, double SamplingSeconds, IReadOnlyList<RolloutGroup> Groups,
    IReadOnlyList<IReadOnlyList<double>> Advantages);

/// <summary>
/// GRPO in one process with no actors: for each step, pick the step's questions, sample and score their groups,
/// apply the update. The reference loop that the actor engine is measured and checked against; it calls the same
/// <see cref="GroupSampler"/> and <see cref="GrpoLearner"/>.
/// </summary>
public sealed class InlineGrpoTrainer : IDisposable
{
    private readonly PolicyModel policy;
    private readonly GrpoSettings settings;
    private readonly TrainingPrompts prompts;
    private readonly GroupSampler sampler;
    private readonly GrpoLearner learner;

    /// <summary>Prepares a run of <paramref name="policy"/> on <paramref name="task"/>.</summary>
    /// <remarks>Pass <paramref name="code"/> for a code task: it runs code answers in the sandbox (without it they score 0).</remarks>
    public InlineGrpoTrainer(PolicyModel policy, IPolicyTokenizer tokenizer, ITaskSource task, GrpoSettings settings, SamplingOptions sampling, ulong seed, ExpertSettings? experts = null, CodeRewards? code = null)
    {
        this.policy = policy;
        this.settings = settings.Validate();
        prompts = new TrainingPrompts(task, seed, settings.PromptsPerStep);
        sampler = new GroupSampler(tokenizer, new RolloutScorer(tokenizer, RewardSets.For(settings.RewardWeights, code)), sampling, seed, settings.GroupSize);
        learner = new GrpoLearner(policy, settings, sampling.Temperature, sampling.MaxNewTokens, experts);
    }

    /// <summary>The learner (its optimizer state and step count).</summary>
    public GrpoLearner Learner => learner;

    /// <summary>Runs steps <paramref name="firstStep"/> up to the configured number, yielding each as it completes.</summary>
    public IEnumerable<StepResult> Run(long firstStep = 0)
    {
        for (long step = firstStep; step < settings.Steps; step++)
            yield return RunStep(step);
    }

    /// <summary>Samples, scores and learns from step <paramref name="step"/>.</summary>
    public StepResult RunStep(long step)
    {
        var clock = Stopwatch.StartNew();
        var requests = prompts.ForStep(step).Select((item, i) => new GroupRequest(step, i, item)).ToArray();
        var groups = sampler.Sample(policy, learner.StepsApplied, requests);
        double sampling = clock.Elapsed.TotalSeconds;
        var update = learner.Step(step, groups, sampling);
        return new StepResult(step, update.Metrics, sampling, groups, update.Advantages);
    }

    /// <inheritdoc />
    public void Dispose() => learner.Dispose();
}
