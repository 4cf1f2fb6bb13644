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

    /// <summary>
    /// Share of hasty documents that check their work after it: the same hasty steps, then "let me check:", the careful
    /// column working, and a verdict; the answer is the checked value. Nothing else in the corpus reflects, so this is
    /// how often the base model checks itself, the behaviour R1-Zero's RL can amplify if checking pays (issue 21).
    /// </summary>
    public double ReflectShare { get; init; }

    /// <summary>
    /// Share of checking documents whose hasty last step is a planted slip, which the check catches ("wait, 84 was
    /// wrong"); the others' check confirms the hasty result ("85 is right").
    /// </summary>
    public double ReflectSlipShare { get; init; } = 0.5;

    /// <summary>
    /// Share of documents whose question asks for the column working outright ("Work out 37 + 48 column by column."),
    /// answered carefully and always right. They are where the base model learns the skill; how often it chooses
    /// careful work or a check on an ordinary question is set by <see cref="CarefulShare"/> and <see cref="ReflectShare"/>
    /// alone, so a base model can be able to reason at length and yet rarely do it, as the paper's base model was.
    /// </summary>
    public double PracticeShare { get; init; }

    /// <summary>The generated task whose training questions the documents answer: arithmetic or sums (<see cref="Tasks.TaskCatalog"/>).</summary>
    public string Task { get; init; } = Tasks.TaskCatalog.Arithmetic;

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
        if (ReflectShare is < 0 or > 1) throw new ArgumentException("pretrain: reflect-share must be in [0, 1]", nameof(ReflectShare));
        if (PracticeShare is < 0 or > 1) throw new ArgumentException("pretrain: practice-share must be in [0, 1]", nameof(PracticeShare));
        if (ReflectSlipShare is < 0 or > 1) throw new ArgumentException("pretrain: reflect-slip-share must be in [0, 1]", nameof(ReflectSlipShare));
        if (Task is not (Tasks.TaskCatalog.Arithmetic or Tasks.TaskCatalog.Sums))
            throw new ArgumentException($"pretrain: task must be {Tasks.TaskCatalog.Arithmetic} or {Tasks.TaskCatalog.Sums}, not '{Task}'", nameof(Task));
        if (LevelWeights.Count != 5 || LevelWeights.Any(w => w < 0 || !double.IsFinite(w)) || LevelWeights.Sum() <= 0)
            throw new ArgumentException("pretrain: level-weights must be five non-negative numbers, not all zero", nameof(LevelWeights));
        return this;
    }
}
