using DeepSeekR1.Actors.Engine.Replay;
using ScottPlot;

namespace DeepSeekR1.Actors.Cli.Replay;

/// <summary>
/// The paper's training curves as PNG charts (ScottPlot): accuracy and mean reward, response length, reflective words
/// (all ten, and "wait" alone), and accuracy per difficulty level, each against the step.
/// </summary>
public static class ReplayCharts
{
    /// <summary>One chart: its file name and title.</summary>
    /// <param name="FileName">The PNG's file name.</param>
    /// <param name="Title">What it shows.</param>
    public sealed record Chart(string FileName, string Title);

    /// <summary>Accuracy and mean reward per step.</summary>
    public static readonly Chart AccuracyReward = new("accuracy_reward.png", "Accuracy and mean reward");
    /// <summary>Mean response length per step.</summary>
    public static readonly Chart ResponseLength = new("response_length.png", "Response length");
    /// <summary>Reflective words per 1,000 tokens per step, all ten and "wait" alone.</summary>
    public static readonly Chart ReflectiveWords = new("reflective_words.png", "Reflective words per 1,000 tokens");
    /// <summary>Accuracy per difficulty level per step.</summary>
    public static readonly Chart AccuracyByLevel = new("accuracy_by_level.png", "Accuracy by difficulty level");

    /// <summary>Expert load (busiest expert's tokens over the mean) per step; only for a MoE policy's run.</summary>
    public static readonly Chart ExpertLoad = new("expert_load.png", "Expert load (busiest expert / mean)");

    /// <summary>Every chart every run gets, in the report's order.</summary>
    public static IReadOnlyList<Chart> All { get; } = [AccuracyReward, ResponseLength, ReflectiveWords, AccuracyByLevel];

    /// <summary>The charts of <paramref name="steps"/>: <see cref="All"/>, and the expert load when the policy had MoE layers.</summary>
    public static IReadOnlyList<Chart> For(IReadOnlyList<ReplayStep> steps) =>
        HasExpertLoad(steps) ? [.. All, ExpertLoad] : All;

    private static bool HasExpertLoad(IReadOnlyList<ReplayStep> steps) => steps.Any(s => s.ExpertLoad is not null);

    private const int Width = 900;
    private const int Height = 500;

    /// <summary>Renders every chart of <paramref name="steps"/> into <paramref name="directory"/> (files named by <see cref="All"/>).</summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="steps">The steps, in order.</param>
    /// <param name="runId">The run, for the titles.</param>
    /// <param name="smoothing">Steps in the trailing mean drawn over each curve (r1.replay.chart-smoothing); 1 = none.</param>
    public static void Write(string directory, IReadOnlyList<ReplayStep> steps, string runId, int smoothing = 1)
    {
        if (smoothing < 1) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "r1.replay.chart-smoothing must be at least 1");
        void Draw(Chart chart, string yLabel, IReadOnlyList<(StepRow.Column Column, string Legend)> series) =>
            Render(directory, chart, runId, yLabel, steps, series, smoothing);

        Draw(AccuracyReward, "accuracy (fraction right) and mean reward",
            [(StepRow.Named("accuracy"), "accuracy"), (StepRow.Named("reward_mean"), "mean reward")]);
        Draw(ResponseLength, "tokens", [(StepRow.Named("response_tokens_mean"), "mean response length")]);
        Draw(ReflectiveWords, "per 1,000 completion tokens",
            [(StepRow.Named("reflective_words"), "all ten words"), (StepRow.Named("word_wait"), "\"wait\"")]);
        Draw(AccuracyByLevel, "accuracy",
            LevelAccuracyCsv.Levels.Select(level => (new StepRow.Column($"level_{level}", $"level {level}", s => LevelAccuracyCsv.Accuracy(s, level)), $"level {level}")).ToArray());
        if (HasExpertLoad(steps))
            Draw(ExpertLoad, "busiest expert's tokens / mean tokens per expert",
                [(StepRow.Named("expert_load_max_over_mean"), "max / mean (1 = balanced)")]);
    }

    private static void Render(string directory, Chart chart, string runId, string yLabel, IReadOnlyList<ReplayStep> steps,
        IReadOnlyList<(StepRow.Column Column, string Legend)> series, int smoothing)
    {
        var plot = new Plot();
        plot.Title($"{chart.Title} (run {runId})");
        plot.XLabel("step");
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        var ys = new List<double>();
        foreach (var (column, legend) in series)
        {
            // A missing value (a level absent from a step, a KL without reference) leaves a gap, not a zero.
            var points = steps.Select(s => (X: (double)(s.Step + 1), Y: column.Value(s)))
                .Where(p => p.Y is { } y && double.IsFinite(y)).ToArray();
            if (points.Length == 0) continue;
            double[] x = points.Select(p => p.X).ToArray(), y = points.Select(p => p.Y!.Value).ToArray();
            var line = plot.Add.Scatter(x, y);
            // A flat zero line is easy to miss under another series: the legend says so.
            line.LegendText = points.All(p => p.Y == 0) ? $"{legend} (zero at every step)" : legend;
            line.MarkerSize = points.Length > 60 ? 0 : 5;
            if (smoothing > 1 && points.Length > 1)
            {
                // The raw curve stays, faded and unnamed; the mean is drawn over it in the same colour and carries the name.
                var mean = plot.Add.Scatter(x, TrailingMean(y, smoothing));
                mean.Color = line.Color;
                mean.LineWidth = 2;
                mean.MarkerSize = 0;
                mean.LegendText = $"{line.LegendText} ({smoothing}-step mean)";
                line.Color = line.Color.WithAlpha(0.3);
                line.LegendText = "";
            }
            ys.AddRange(points.Select(p => p.Y!.Value));
        }
        if (series.Count > 1 || smoothing > 1 || ys.Count > 0 && ys.All(y => y == 0)) plot.ShowLegend(Alignment.UpperLeft);
        // Every measure here is a rate, a count or a length: the axis starts at zero (unless a value is below it), so
        // growth reads as growth and a flat zero line does not float in the middle of the chart.
        if (ys.Count > 0)
        {
            double bottom = Math.Min(0, ys.Min()), top = ys.Max();
            plot.Axes.SetLimitsY(bottom, top > bottom ? top + (top - bottom) * 0.1 : bottom + 1);
        }
        plot.SavePng(Path.Combine(directory, chart.FileName), Width, Height);
    }

    /// <summary>
    /// The mean of each value and the <paramref name="window"/> - 1 before it (fewer at the start: the first point is
    /// itself), so a smoothed curve starts where the raw one starts and lags it as a trailing mean does.
    /// </summary>
    public static double[] TrailingMean(IReadOnlyList<double> values, int window)
    {
        var result = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(window, i + 1);
        }
        return result;
    }
}
