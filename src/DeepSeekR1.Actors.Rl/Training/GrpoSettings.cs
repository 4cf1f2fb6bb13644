using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Optim;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// Hyperparameters of a GRPO run (HOCON section <c>r1.grpo</c>; defaults and comments in <c>hocon/grpo.conf</c>).
/// The R1 paper's values are in the comments there; the defaults are sized for the tiny embedded model on 2 cores.
/// </summary>
public sealed record GrpoSettings
{
    /// <summary>Task to train on (arithmetic, countdown, gsm8k, jsonl).</summary>
    public string Task { get; init; } = "arithmetic";
    /// <summary>Dataset path for file-backed tasks (gsm8k, jsonl); empty for generated ones.</summary>
    public string Data { get; init; } = "";
    /// <summary>Number of RL steps.</summary>
    public int Steps { get; init; } = 60;
    /// <summary>Questions per step.</summary>
    public int PromptsPerStep { get; init; } = 16;
    /// <summary>Outputs sampled per question (G).</summary>
    public int GroupSize { get; init; } = 8;
    /// <summary>Optimizer steps per rollout batch per epoch.</summary>
    public int MiniBatches { get; init; } = 1;
    /// <summary>Passes over each rollout batch.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Linear warm-up steps.</summary>
    public int WarmupSteps { get; init; }
    /// <summary>Learning-rate decay after warm-up (constant or cosine).</summary>
    public LrDecay LrDecay { get; init; } = LrDecay.Constant;
    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Global gradient-norm clip (0 = off).</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>KL coefficient beta against the reference policy (0 = no reference model).</summary>
    public double Beta { get; init; } = 0.001;
    /// <summary>Lower clip range epsilon.</summary>
    public double ClipEpsLow { get; init; } = 0.2;
    /// <summary>Upper clip range epsilon (clip-higher when larger than the lower one).</summary>
    public double ClipEpsHigh { get; init; } = 0.2;
    /// <summary>Loss aggregation: seq-mean-token-mean (paper), token-mean (DAPO/TRL), dr-grpo.</summary>
    public LossAggregation LossAggregation { get; init; } = LossAggregation.SeqMeanTokenMean;
    /// <summary>Advantage scaling: group-std (paper), batch-std, none (Dr.GRPO).</summary>
    public AdvantageScaling AdvantageScaling { get; init; } = AdvantageScaling.GroupStd;
    /// <summary>Drop groups whose rewards are all equal from the update (DAPO's dynamic sampling, filter form).</summary>
    public bool DynamicSampling { get; init; }
    /// <summary>Refresh the reference policy from the current one every N steps (0 = never; R1 used 400).</summary>
    public int ReferenceRefreshEvery { get; init; } = 400;
    /// <summary>Weight of the accuracy reward.</summary>
    public double AccuracyWeight { get; init; } = 1.0;
    /// <summary>Weight of the format reward.</summary>
    public double FormatWeight { get; init; } = 0.2;
    /// <summary>Weight of the language-consistency reward.</summary>
    public double LanguageWeight { get; init; }
    /// <summary>Write a checkpoint every N steps (0 = only at the end).</summary>
    public int CheckpointEvery { get; init; }

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
