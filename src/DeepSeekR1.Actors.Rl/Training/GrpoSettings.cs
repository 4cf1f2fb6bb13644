using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Optim;
using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// Hyperparameters of a GRPO run (HOCON section <c>r1.grpo</c>; defaults and comments in <c>hocon/grpo.conf</c>).
/// The R1 paper's values are in the comments there; the defaults are sized for the tiny embedded model on 2 cores.
/// </summary>
public sealed record GrpoSettings
{
    /// <summary>The shipped defaults (<c>r1.grpo</c> in hocon/), the only place they live.</summary>
    public static GrpoSettings Defaults => ShippedDefaults.Bind<GrpoSettings>("r1.grpo");

    /// <summary>Task to train on (arithmetic, countdown, gsm8k, jsonl).</summary>
    public required string Task { get; init; }
    /// <summary>Dataset path for file-backed tasks (gsm8k, jsonl); empty for generated ones.</summary>
    public required string Data { get; init; }
    /// <summary>Number of RL steps.</summary>
    public required int Steps { get; init; }
    /// <summary>Questions per step.</summary>
    public required int PromptsPerStep { get; init; }
    /// <summary>Outputs sampled per question (G).</summary>
    public required int GroupSize { get; init; }
    /// <summary>Optimizer steps per rollout batch per epoch.</summary>
    public required int MiniBatches { get; init; }
    /// <summary>Passes over each rollout batch.</summary>
    public required int Epochs { get; init; }
    /// <summary>Peak learning rate.</summary>
    public required double LearningRate { get; init; }
    /// <summary>Linear warm-up steps.</summary>
    public required int WarmupSteps { get; init; }
    /// <summary>Learning-rate decay after warm-up (constant or cosine).</summary>
    public required LrDecay LrDecay { get; init; }
    /// <summary>AdamW weight decay.</summary>
    public required double WeightDecay { get; init; }
    /// <summary>Global gradient-norm clip (0 = off).</summary>
    public required double GradClip { get; init; }
    /// <summary>KL coefficient beta against the reference policy (0 = no reference model).</summary>
    public required double Beta { get; init; }
    /// <summary>Lower clip range epsilon.</summary>
    public required double ClipEpsLow { get; init; }
    /// <summary>Upper clip range epsilon (clip-higher when larger than the lower one).</summary>
    public required double ClipEpsHigh { get; init; }
    /// <summary>Loss aggregation: seq-mean-token-mean (paper), token-mean (DAPO/TRL), dr-grpo.</summary>
    public required LossAggregation LossAggregation { get; init; }
    /// <summary>Advantage scaling: group-std (paper), batch-std, none (Dr.GRPO).</summary>
    public required AdvantageScaling AdvantageScaling { get; init; }
    /// <summary>Drop groups whose rewards are all equal from the update (DAPO's dynamic sampling, filter form).</summary>
    public required bool DynamicSampling { get; init; }
    /// <summary>Refresh the reference policy from the current one every N steps (0 = never; R1 used 400).</summary>
    public required int ReferenceRefreshEvery { get; init; }
    /// <summary>Weight of the accuracy reward.</summary>
    public required double AccuracyWeight { get; init; }
    /// <summary>Weight of the format reward.</summary>
    public required double FormatWeight { get; init; }
    /// <summary>Weight of the language-consistency reward.</summary>
    public required double LanguageWeight { get; init; }
    /// <summary>Write a checkpoint every N steps (0 = only at the end).</summary>
    public required int CheckpointEvery { get; init; }

    /// <summary>The weights of the run's reward set (accuracy, format, language).</summary>
    public RewardWeights RewardWeights => new(AccuracyWeight, FormatWeight, LanguageWeight);

    /// <summary>Checks ranges and names the first bad key.</summary>
    public GrpoSettings Validate()
    {
        static void Require(bool ok, string key, string why)
        {
            if (!ok) throw new ArgumentException($"r1.grpo.{key} {why}", key);
        }
        Require(Steps > 0, "steps", "must be positive");
        Require(PromptsPerStep > 0, "prompts-per-step", "must be positive");
        Require(GroupSize >= 2, "group-size", "must be at least 2 (advantages compare outputs within a group)");
        Require(MiniBatches > 0 && MiniBatches <= PromptsPerStep * GroupSize, "mini-batches", "must be in 1..prompts-per-step x group-size");
        Require(Epochs > 0, "epochs", "must be positive");
        Require(LearningRate > 0, "learning-rate", "must be positive");
        Require(Beta >= 0, "beta", "must not be negative");
        Require(ClipEpsLow > 0 && ClipEpsHigh > 0, "clip-eps-low", "and clip-eps-high must be positive");
        return this;
    }
}
