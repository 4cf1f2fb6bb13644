using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Evaluation;

namespace DeepSeekR1.Actors.Cli.Replay;

/// <summary>
/// Writes every output of a replay into one folder: <c>metrics.csv</c>, <c>accuracy_by_level.csv</c>, the charts and
/// <c>report.md</c>. Each file is written beside its final name and then moved over it, so that someone watching the
/// folder during <c>--follow</c> never opens a half-written file.
/// </summary>
public static class ReplayOutput
{
    /// <summary>Writes (or refreshes) the outputs of <paramref name="projection"/> in <paramref name="directory"/>.</summary>
    /// <param name="directory">The output folder (created when missing).</param>
    /// <param name="runId">The run.</param>
    /// <param name="projection">The replayed run.</param>
    /// <param name="heldOut">The run's held-out evaluations before and after training, where r1 train kept them.</param>
    /// <param name="chartSmoothing">Steps in the trailing mean drawn over each chart's curves (r1.replay.chart-smoothing).</param>
    /// <returns>The steps written.</returns>
    public static IReadOnlyList<ReplayStep> Write(string directory, string runId, RunProjection projection, HeldOut? heldOut = null, int chartSmoothing = 1)
    {
        Directory.CreateDirectory(directory);
        var steps = projection.Steps();
        string staging = Directory.CreateDirectory(Path.Combine(directory, ".replay-staging")).FullName;
        try
        {
            WriteText(Path.Combine(staging, MetricsCsv.FileName), w => MetricsCsv.Write(w, steps));
            WriteText(Path.Combine(staging, LevelAccuracyCsv.FileName), w => LevelAccuracyCsv.Write(w, steps));
            if (steps.Count > 0) ReplayCharts.Write(staging, steps, runId, chartSmoothing);
            WriteText(Path.Combine(staging, ReplayReport.FileName), w => ReplayReport.Write(w, runId, projection, steps, heldOut));
            foreach (string file in Directory.GetFiles(staging))
                File.Move(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
        return steps;
    }

    private static void WriteText(string path, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(path) { NewLine = "\n" };
        write(writer);
    }
}

/// <summary>A run's held-out evaluations, as <c>r1 train</c> kept them in the run folder (either may be missing).</summary>
/// <param name="Before">Of the policy the run started from.</param>
/// <param name="After">Of the policy it ended with.</param>
public sealed record HeldOut(EvalReport? Before, EvalReport? After)
{
    /// <summary>What the run folder of <paramref name="layout"/> holds.</summary>
    public static HeldOut Of(RunLayout layout) =>
        new(EvalReportFile.Load(layout.BeforeEvaluationFile), EvalReportFile.Load(layout.AfterEvaluationFile));
}
