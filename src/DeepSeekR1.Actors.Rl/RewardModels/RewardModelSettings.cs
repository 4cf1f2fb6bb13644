using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// Hyperparameters of reward-model training (HOCON <c>r1.rm</c>, <c>r1 rm train</c>). The defaults suit the tiny
/// built-in policy as the backbone; TRL's <c>RewardConfig</c> names are given in hocon/sft.conf.
/// </summary>
public sealed record RewardModelSettings
{
    /// <summary>The shipped defaults (<c>r1.rm</c> in hocon/), the only place they live.</summary>
    public static RewardModelSettings Defaults => ShippedDefaults.Bind<RewardModelSettings>("r1.rm");

    /// <summary>Peak AdamW learning rate, reached after warmup.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Pairs (helpfulness) or labelled responses (safety) per optimizer step.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Passes over the training split; used when <see cref="Steps"/> is 0.</summary>
    public required int Epochs { get; init; }

    /// <summary>Optimizer steps; 0 = as many as <see cref="Epochs"/> need.</summary>
    public required int Steps { get; init; }

    /// <summary>Steps of linear warmup.</summary>
    public required int WarmupSteps { get; init; }

    /// <summary>Cosine decay floor as a fraction of the peak.</summary>
    public required double MinLrRatio { get; init; }

    /// <summary>Longest (prompt, response) sequence in tokens; longer ones lose the start of the prompt.</summary>
    public required int MaxSeqLen { get; init; }

    /// <summary>Largest global gradient norm.</summary>
    public required double GradClip { get; init; }

    /// <summary>AdamW's decoupled weight decay.</summary>
    public required double WeightDecay { get; init; }

    /// <summary>Share of prompts held out for the accuracy report (split by prompt, so no prompt is in both).</summary>
    public required double HeldOutShare { get; init; }

    /// <summary>Seed of the batch order and of the held-out split.</summary>
    public required long Seed { get; init; }

    /// <summary>Report progress every this many steps (the last step is always reported).</summary>
    public required int LogEvery { get; init; }

    /// <summary>Checks the settings and names the first bad one.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; its ParamName is the HOCON key.</exception>
    public RewardModelSettings Validate()
    {
        static void Require(bool ok, string key, string why)
        {
            if (!ok) throw new ArgumentException($"rm: {key} {why}", key);
        }
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning-rate", "must be a positive number");
        Require(BatchSize > 0, "batch-size", "must be positive");
        Require(Epochs > 0 || Steps > 0, "epochs", "must be positive when steps is 0");
        Require(Steps >= 0, "steps", "must not be negative");
        Require(WarmupSteps >= 0, "warmup-steps", "must not be negative");
        Require(MinLrRatio is >= 0 and <= 1, "min-lr-ratio", "must be in [0, 1]");
        Require(MaxSeqLen > 1, "max-seq-len", "must be at least 2");
        Require(GradClip > 0, "grad-clip", "must be positive");
        Require(WeightDecay >= 0, "weight-decay", "must not be negative");
        Require(HeldOutShare is >= 0 and < 1, "held-out-share", "must be in [0, 1)");
        Require(LogEvery > 0, "log-every", "must be positive");
        return this;
    }
}
