using DeepSeekR1.Actors.Configuration;
namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>
/// Hyperparameters of supervised fine-tuning (HOCON <c>r1.sft</c>). Defaults suit a cold start of the tiny built-in
/// policy: a learning rate far above RL's 3e-6 because the targets are fixed and dense, a short warmup, cosine decay.
/// </summary>
public sealed record SftSettings
{
    /// <summary>The shipped defaults (<c>r1.sft</c> in hocon/), the only place they live.</summary>
    public static SftSettings Defaults => ShippedDefaults.Bind<SftSettings>("r1.sft");

    /// <summary>Peak learning rate of AdamW, reached after warmup.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Examples per optimizer step.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Passes over the data set; used when <see cref="Steps"/> is 0.</summary>
    public required int Epochs { get; init; }

    /// <summary>Optimizer steps to take; 0 means as many as <see cref="Epochs"/> passes need.</summary>
    public required int Steps { get; init; }

    /// <summary>Steps of linear learning-rate warmup.</summary>
    public required int WarmupSteps { get; init; }

    /// <summary>Floor of the cosine decay as a fraction of the peak learning rate.</summary>
    public required double MinLrRatio { get; init; }

    /// <summary>Longest prompt + completion in tokens; longer examples lose the end of their completion.</summary>
    public required int MaxSeqLen { get; init; }

    /// <summary>Largest global gradient norm; larger gradients are scaled down to it.</summary>
    public required double GradClip { get; init; }

    /// <summary>AdamW's decoupled weight decay.</summary>
    public required double WeightDecay { get; init; }

    /// <summary>Seed of the batch order (each epoch is a fresh permutation derived from it).</summary>
    public required long Seed { get; init; }

    /// <summary>Report progress every this many steps (the last step is always reported).</summary>
    public required int LogEvery { get; init; }

    /// <summary>Write a resume point (weights, optimizer state, step) every this many steps; 0 = never.</summary>
    public required int ResumeEvery { get; init; }

    /// <summary>
    /// Weight of the multi-token prediction loss (DeepSeek-V3's lambda) when the model has such modules; 0 leaves them
    /// untrained. The loss added is this weight times the mean over depths of each depth's token NLL (<see cref="MtpLoss"/>).
    /// </summary>
    public required double MtpLossWeight { get; init; }

    /// <summary>Checks the settings and names the first bad one.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public SftSettings Validate()
    {
        static void Require(bool ok, string key, string why)
        {
            if (!ok) throw new ArgumentException($"sft: {key} {why}", key);
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
        Require(LogEvery > 0, "log-every", "must be positive");
        Require(ResumeEvery >= 0, "resume-every", "must not be negative");
        Require(MtpLossWeight >= 0 && double.IsFinite(MtpLossWeight), "mtp-loss-weight", "must be 0 or a positive number");
        return this;
    }
}
