using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>What to run: the same inputs the inline loop (<see cref="InlineGrpoTrainer"/>) takes, plus where the run's files go.</summary>
public sealed record EngineRun
{
    /// <summary>The run's id; its journal entries and checkpoints are keyed by it.</summary>
    public required string RunId { get; init; }
    /// <summary>The run's folder (checkpoints go under <c>checkpoints/step-NNNNNN</c>).</summary>
    public required string RunDirectory { get; init; }
    /// <summary>The names of the run folder's files.</summary>
    public RunLayout Layout => new(RunDirectory);
    /// <summary>GRPO hyperparameters.</summary>
    public required GrpoSettings Grpo { get; init; }
    /// <summary>Where a MoE policy's routed experts live while the learner trains them (<c>r1.experts</c>).</summary>
    public ExpertSettings Experts { get; init; } = ExpertSettings.Defaults;
    /// <summary>How far rollouts may run ahead of the learner (<c>r1.async</c>; the shipped default is synchronous).</summary>
    public AsyncSettings Async { get; init; } = AsyncSettings.Defaults;
    /// <summary>Runs code answers in the sandbox when the task is a code task (<c>r1.rewards.code</c>); null otherwise.</summary>
    public CodeRewards? Code { get; init; }
    /// <summary>
    /// The reward models and which prompt kinds they score (<c>r1.rewards.models</c>); null = none configured. A task with
    /// general prompts needs them: <see cref="EngineHost.StartAsync"/> refuses it otherwise, naming the key.
    /// </summary>
    public ModelRewardSettings? ModelRewards { get; init; }
    /// <summary>Rollout sampling options.</summary>
    public required SamplingOptions Sampling { get; init; }
    /// <summary>The run seed.</summary>
    public required ulong Seed { get; init; }
    /// <summary>The task the prompts come from.</summary>
    public required ITaskSource Task { get; init; }
    /// <summary>The tokenizer.</summary>
    public required IPolicyTokenizer Tokenizer { get; init; }
    /// <summary>Where tensors live.</summary>
    public required Device Device { get; init; }
    /// <summary>What the policy is held and computed in (<c>r1.model.dtype</c>): every checkpoint a node loads becomes this.</summary>
    public required ModelDtype Dtype { get; init; }
    /// <summary>Builds the policy the run starts from (called once, when the run has no version-0 checkpoint yet).</summary>
    public required Func<PolicyModel> InitialPolicy { get; init; }
    /// <summary>Files every checkpoint carries (a tokenizer.json).</summary>
    public IReadOnlyList<string> CheckpointExtraFiles { get; init; } = [];
    /// <summary>The effective configuration, journaled with the run for the record.</summary>
    public string ConfigText { get; init; } = "";
    /// <summary>Set when a supervisor started this engine again after the last one died; the run journals it.</summary>
    public EngineRestart? Restart { get; init; }
}

/// <summary>Why this engine is a restart: what its supervisor saw the previous one die of.</summary>
/// <param name="Attempt">Which restart this is (1 for the first).</param>
/// <param name="MaxRestarts">How many the supervisor allows.</param>
/// <param name="Cause">How the previous engine died (<c>SIGSEGV at step 134</c>).</param>
public sealed record EngineRestart(int Attempt, int MaxRestarts, string Cause);

/// <summary>How the host reports a run's progress.</summary>
public sealed record EngineObserver
{
    /// <summary>Called once per step as the run records it (steps recorded before a restart are not reported again).</summary>
    public Action<long, StepMetrics>? OnStep { get; init; }
    /// <summary>Called with marker lines (<c>sampling step=N</c>, <c>update step=N</c>, <c>checkpoint step=N</c>, <c>applied step=N</c>) when r1.engine.markers is on.</summary>
    public Action<string>? OnMarker { get; init; }
}

/// <summary>How a run ended.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Steps">Steps applied in total (earlier sessions included).</param>
/// <param name="Checkpoint">The latest checkpoint folder.</param>
/// <param name="State"><c>finished</c>, <c>stopped</c> when it was stopped early, or <c>failed</c>.</param>
/// <param name="Metrics">The metrics of every step, in order (earlier sessions included), from the learner's journal.</param>
/// <param name="Failure">Why a <c>failed</c> run failed; null otherwise.</param>
public sealed record EngineOutcome(string RunId, int Steps, string Checkpoint, string State, IReadOnlyList<StepMetrics> Metrics, string? Failure = null);
