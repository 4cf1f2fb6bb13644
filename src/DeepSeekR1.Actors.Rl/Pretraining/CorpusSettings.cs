namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>Where the mistake of a wrong corpus document is planted.</summary>
public enum SlipSite
{
    /// <summary>
    /// The worked steps are right and the answer tags hold a near miss of the last result: the answer does not follow
    /// from the reasoning. Whether the answer follows the reasoning is one behaviour shared by every question, so what
    /// RL learns about it carries over to questions it never practised.
    /// </summary>
    Answer,

    /// <summary>The last step's result is a near miss and the answer copies it: a mistake in one arithmetic fact.</summary>
    LastStep,
}

/// <summary>What the generated pretraining corpus of the built-in base model looks like.</summary>
public sealed record CorpusSettings
{
    /// <summary>
    /// Share of hasty documents whose final step, and so whose answer, is wrong (an off-by-one or a one-digit slip). It
    /// caps how often the base model is right, and leaves RL a sharp, local mistake to unlearn.
    /// </summary>
    public double WrongShare { get; init; } = 0.5;

    /// <summary>
    /// Share of documents written carefully: sums and differences worked column by column (<see cref="ColumnArithmetic"/>),
    /// always right. The others are hasty (each operation written whole) and slip at <see cref="WrongShare"/>. A base model
    /// that picks careful work only this often is the one R1-Zero-style RL can teach to think longer.
    /// </summary>
    public double CarefulShare { get; init; }

    /// <summary>Where a wrong document's mistake sits (see <see cref="SlipSite"/>).</summary>
    public SlipSite SlipAt { get; init; } = SlipSite.LastStep;

    /// <summary>Relative frequency of arithmetic levels 1..5 (five non-negative weights, not all zero).</summary>
    public IReadOnlyList<double> LevelWeights { get; init; } = [4, 4, 2, 0.5, 0.5];

    /// <summary>Seed of the corpus; document i is fixed by (seed, i).</summary>
    public long Seed { get; init; } = 20250122;

    /// <summary>Checks the settings and names the first bad one.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public CorpusSettings Validate()
    {
        if (WrongShare is < 0 or > 1) throw new ArgumentException("pretrain: wrong-share must be in [0, 1]", nameof(WrongShare));
        if (CarefulShare is < 0 or > 1) throw new ArgumentException("pretrain: careful-share must be in [0, 1]", nameof(CarefulShare));
        if (LevelWeights.Count != 5 || LevelWeights.Any(w => w < 0 || !double.IsFinite(w)) || LevelWeights.Sum() <= 0)
            throw new ArgumentException("pretrain: level-weights must be five non-negative numbers, not all zero", nameof(LevelWeights));
        return this;
    }
}
