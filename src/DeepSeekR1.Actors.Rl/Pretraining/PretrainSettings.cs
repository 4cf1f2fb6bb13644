using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.Sft;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// How <c>r1 pretrain</c> builds the built-in base model (HOCON <c>r1.pretrain</c>): the corpus, the optimisation,
/// and the held-out probe run at the end. Defaults are the ones the shipped models/base-tiny was made with.
/// </summary>
public sealed record PretrainSettings
{
    /// <summary>The shipped defaults (<c>r1.pretrain</c> in hocon/), the only place they live.</summary>
    public static PretrainSettings Defaults => ShippedDefaults.Bind<PretrainSettings>("r1.pretrain");

    /// <summary>Optimizer steps; each step reads fresh documents, so the corpus is never repeated.</summary>
    public required int Steps { get; init; }

    /// <summary>Documents per step.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Peak AdamW learning rate (a from-scratch model tolerates far more than fine-tuning).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Steps of linear warmup before the cosine decay.</summary>
    public required int WarmupSteps { get; init; }

    /// <summary>Floor of the cosine decay as a fraction of the peak.</summary>
    public required double MinLrRatio { get; init; }

    /// <summary>AdamW's decoupled weight decay.</summary>
    public required double WeightDecay { get; init; }

    /// <summary>Largest global gradient norm.</summary>
    public required double GradClip { get; init; }

    /// <summary>Progress report interval in steps.</summary>
    public required int LogEvery { get; init; }

    /// <summary>Share of hasty corpus documents whose last step and answer are deliberately wrong.</summary>
    public required double WrongShare { get; init; }

    /// <summary>Share of documents worked carefully, column by column, and always right (the rest are hasty).</summary>
    public required double CarefulShare { get; init; }

    /// <summary>Share of hasty documents that check their work afterwards (the only reflective language in the corpus).</summary>
    public required double ReflectShare { get; init; }

    /// <summary>Share of those checks that catch a planted slip in the hasty result (the rest confirm it).</summary>
    public required double ReflectSlipShare { get; init; }

    /// <summary>Share of documents that ask for the column working outright (where the skill is learnt).</summary>
    public required double PracticeShare { get; init; }

    /// <summary>The generated task whose training questions the corpus answers (arithmetic or sums).</summary>
    public required string Task { get; init; }

    /// <summary>Where a wrong document's mistake sits: in the answer (after correct steps) or in the last step.</summary>
    public required SlipSite SlipAt { get; init; }

    /// <summary>Relative frequency of arithmetic levels 1..5 in the corpus.</summary>
    public required IReadOnlyList<double> LevelWeights { get; init; }

    /// <summary>Seed of the corpus and of the initial weights.</summary>
    public required long Seed { get; init; }

    /// <summary>Checkpoint to continue from; empty = fresh weights drawn from <see cref="Seed"/>.</summary>
    public required string Init { get; init; }

    /// <summary>Held-out test items the probe samples after training (0 skips the probe).</summary>
    public required int EvalItems { get; init; }

    /// <summary>Samples per held-out item (pass@1 is their mean accuracy).</summary>
    public required int EvalSamples { get; init; }

    /// <summary>Sampling temperature of the probe (R1's evaluation setting).</summary>
    public required double EvalTemperature { get; init; }

    /// <summary>Nucleus mass of the probe (R1's evaluation setting).</summary>
    public required double EvalTopP { get; init; }

    /// <summary>Most tokens the probe generates per completion.</summary>
    public required int EvalMaxNewTokens { get; init; }

    /// <summary>Weight of the multi-token prediction loss when the model has such modules (<see cref="SftSettings.MtpLossWeight"/>).</summary>
    public required double MtpLossWeight { get; init; }

    /// <summary>The corpus part of these settings.</summary>
    public CorpusSettings Corpus => new()
    {
        WrongShare = WrongShare, CarefulShare = CarefulShare, ReflectShare = ReflectShare, ReflectSlipShare = ReflectSlipShare,
        PracticeShare = PracticeShare,
        Task = Task, SlipAt = SlipAt, LevelWeights = LevelWeights, Seed = Seed,
    };

    /// <summary>The optimisation part of these settings, as the SFT trainer takes it.</summary>
    public SftSettings Trainer => SftSettings.Defaults with
    {
        LearningRate = LearningRate,
        BatchSize = BatchSize,
        Steps = Steps,
        // Steps decides the length; epochs only count when steps is 0.
        Epochs = 1,
        WarmupSteps = WarmupSteps,
        MinLrRatio = MinLrRatio,
        WeightDecay = WeightDecay,
        GradClip = GradClip,
        LogEvery = LogEvery,
        Seed = Seed,
        MaxSeqLen = int.MaxValue,
        MtpLossWeight = MtpLossWeight,
    };
}
