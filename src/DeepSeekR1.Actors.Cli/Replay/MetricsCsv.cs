using DeepSeekR1.Actors.Engine.Replay;

namespace DeepSeekR1.Actors.Cli.Replay;

/// <summary><c>metrics.csv</c>: one row per applied step, the columns of <see cref="StepRow.Columns"/>.</summary>
public static class MetricsCsv
{
    /// <summary>The file's name.</summary>
    public const string FileName = "metrics.csv";

    /// <summary>Writes the header and one line per step.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="steps">The steps, in order.</param>
    public static void Write(TextWriter output, IReadOnlyList<ReplayStep> steps)
    {
        output.WriteLine(string.Join(',', StepRow.Columns.Select(c => c.Name)));
        foreach (var step in steps)
            output.WriteLine(string.Join(',', StepRow.Columns.Select(c => Csv.Cell(c.Value(step)))));
    }
}
