using DeepSeekR1.Actors.Rl.Sft;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// How <c>r1 pretrain</c> builds the built-in base model (HOCON <c>r1.pretrain</c>): the corpus, the optimisation,
/// and the held-out probe run at the end. Defaults are the ones the shipped models/base-tiny was made with.
/// </summary>
public sealed record PretrainSettings
{
    /// <summary>Optimizer steps; each step reads fresh documents, so the corpus is never repeated.</summary>
    public int Steps { get; init; } = 4000;

    /// <summary>Documents per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak AdamW learning rate (a from-scratch model tolerates far more than fine-tuning).</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Steps of linear warmup before the cosine decay.</summary>
    public int WarmupSteps { get; init; } = 50;

    /// <summary>Floor of the cosine decay as a fraction of the peak.</summary>
    public double MinLrRatio { get; init; } = 0.05;

    /// <summary>AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Largest global gradient norm.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Progress report interval in steps.</summary>
    public int LogEvery { get; init; } = 100;

    /// <summary>Share of hasty corpus documents whose last step and answer are deliberately wrong.</summary>
    public double WrongShare { get; init; }

    /// <summary>Share of documents worked carefully, column by column, and always right (the rest are hasty).</summary>
    public double CarefulShare { get; init; } = 0.4;

    /// <summary>Where a wrong document's mistake sits: in the answer (after correct steps) or in the last step.</summary>
    public SlipSite SlipAt { get; init; } = SlipSite.LastStep;

    /// <summary>Relative frequency of arithmetic levels 1..5 in the corpus.</summary>
    public IReadOnlyList<double> LevelWeights { get; init; } = [0, 1, 0, 0, 0];

    /// <summary>Seed of the corpus and of the initial weights.</summary>
    public long Seed { get; init; } = 20250122;

    /// <summary>Checkpoint to continue from; empty = fresh weights drawn from <see cref="Seed"/>.</summary>
    public string Init { get; init; } = "";

    /// <summary>Held-out test items the probe samples after training (0 skips the probe).</summary>
    public int EvalItems { get; init; } = 200;

    /// <summary>Samples per held-out item (pass@1 is their mean accuracy).</summary>
    public int EvalSamples { get; init; } = 4;

    /// <summary>Sampling temperature of the probe (R1's evaluation setting).</summary>
    public double EvalTemperature { get; init; } = 0.6;

    /// <summary>Nucleus mass of the probe (R1's evaluation setting).</summary>
    public double EvalTopP { get; init; } = 0.95;

    /// <summary>Most tokens the probe generates per completion.</summary>
    public int EvalMaxNewTokens { get; init; } = 96;

    /// <summary>The corpus part of these settings.</summary>
    public CorpusSettings Corpus => new() { WrongShare = WrongShare, CarefulShare = CarefulShare, SlipAt = SlipAt, LevelWeights = LevelWeights, Seed = Seed };

    /// <summary>The optimisation part of these settings, as the SFT trainer takes it.</summary>
    public SftSettings Trainer => new()
    {
        LearningRate = LearningRate,
        BatchSize = BatchSize,
        Steps = Steps,
        WarmupSteps = WarmupSteps,
        MinLrRatio = MinLrRatio,
        WeightDecay = WeightDecay,
        GradClip = GradClip,
        LogEvery = LogEvery,
        Seed = Seed,
        MaxSeqLen = int.MaxValue,
    };
}
