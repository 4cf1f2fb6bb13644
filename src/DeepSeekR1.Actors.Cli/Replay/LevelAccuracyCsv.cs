using DeepSeekR1.Actors.Engine.Replay;

namespace DeepSeekR1.Actors.Cli.Replay;

/// <summary>
/// <c>accuracy_by_level.csv</c>: per step, the accuracy of the completions of questions of each difficulty level 1..5
/// (the paper's per-level curves). A level with no question in a step has an empty cell; questions without a level
/// (level 0) count only in the overall accuracy of <c>metrics.csv</c>.
/// </summary>
public static class LevelAccuracyCsv
{
    /// <summary>The file's name.</summary>
    public const string FileName = "accuracy_by_level.csv";

    /// <summary>The difficulty levels, one column each.</summary>
    public static IReadOnlyList<int> Levels { get; } = [1, 2, 3, 4, 5];

    /// <summary>The accuracy of <paramref name="level"/> in <paramref name="step"/>, or null when it had no such question.</summary>
    /// <param name="step">The step.</param>
    /// <param name="level">The level.</param>
    public static double? Accuracy(ReplayStep step, int level) =>
        step.Analysis.AccuracyByLevel.TryGetValue(level, out double accuracy) ? accuracy : null;

    /// <summary>Writes the header and one line per step.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="steps">The steps, in order.</param>
    public static void Write(TextWriter output, IReadOnlyList<ReplayStep> steps)
    {
        output.WriteLine(string.Join(',', ["step", .. Levels.Select(l => $"level_{l}")]));
        foreach (var step in steps)
            output.WriteLine(string.Join(',', [Csv.Cell(step.Step + 1), .. Levels.Select(l => Csv.Cell(Accuracy(step, l)))]));
    }
}
