using System.Reflection;
using DeepSeekR1.Actors.Cli.Replay;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Grpo;
using TorchSharp;

namespace DeepSeekR1.Actors.Cli;

/// <summary>
/// Every step's metrics as TensorBoard scalars (TorchSharp's <c>SummaryWriter</c>), under the run folder, so that
/// <c>tensorboard --logdir .r1/runs</c> shows a run the way TRL's or verl's logging does: one tag per field of
/// <see cref="StepMetrics"/>, <c>train/reward_mean</c>, <c>train/kl_mean</c>, ..., at the 1-based step <c>r1 train</c> prints.
/// A resumed run adds a new event file to the same folder, which TensorBoard reads as one series.
/// <see cref="Replayed"/> adds what <c>r1 replay</c> computes from the completions, every column of its metrics.csv and
/// accuracy_by_level.csv as <c>replay/...</c> (language mixing, reflective words, accuracy per level, staleness, ...), and histograms of the
/// step's advantages and response lengths. Safe to call from two threads (the step report and the journal follower).
/// </summary>
public sealed class TensorBoardLog : IDisposable
{
    // Every number of a step's metrics, with its tag; the optional ones (KL without a reference) are skipped when absent.
    private static readonly (string Tag, PropertyInfo Property)[] Scalars = typeof(StepMetrics).GetProperties()
        .Where(p => p.PropertyType == typeof(double) || p.PropertyType == typeof(double?) || p.PropertyType == typeof(int))
        .Select(p => ("train/" + Snake(p.Name), p)).ToArray();

    private readonly TorchSharp.Modules.SummaryWriter writer;

    /// <summary>Writes into <paramref name="directory"/> (created when missing).</summary>
    public TensorBoardLog(string directory)
    {
        Directory.CreateDirectory(directory);
        writer = torch.utils.tensorboard.SummaryWriter(directory);
    }

    /// <summary>The tags written, in order.</summary>
    public static IEnumerable<string> Tags => Scalars.Select(s => s.Tag);

    /// <summary>The tags <see cref="Replayed"/> writes: every metrics.csv column but the step itself.</summary>
    public static IEnumerable<string> ReplayTags => StepRow.Columns.Where(c => c.Name != "step").Select(c => "replay/" + c.Name);

    /// <summary>The histogram tags <see cref="Replayed"/> writes.</summary>
    public static readonly (string Advantages, string ResponseTokens) HistogramTags = ("train/advantages", "train/response_tokens");

    /// <summary>Writes step <paramref name="step"/> (0-based, as the engines count; shown 1-based).</summary>
    public void Step(long step, StepMetrics metrics)
    {
        int shown = Shown(step);
        lock (writer)
        {
            foreach (var (tag, property) in Scalars)
                if (property.GetValue(metrics) is { } value && Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) is var number && double.IsFinite(number))
                    writer.add_scalar(tag, (float)number, shown);
        }
    }

    /// <summary>
    /// Writes a replayed step: its metrics.csv values (an empty cell writes nothing) and the histograms of the
    /// samples' advantages and response lengths (tokens); an empty list writes no histogram.
    /// </summary>
    public void Replayed(ReplayStep step, IReadOnlyList<double> advantages, IReadOnlyList<double> responseTokens)
    {
        int shown = Shown(step.Step);
        lock (writer)
        {
            foreach (var column in StepRow.Columns.Where(c => c.Name != "step"))
                if (column.Value(step) is { } value && double.IsFinite(value))
                    writer.add_scalar("replay/" + column.Name, (float)value, shown);
            // accuracy_by_level.csv's columns: the levels the step's questions had.
            foreach (int level in LevelAccuracyCsv.Levels)
                if (LevelAccuracyCsv.Accuracy(step, level) is { } accuracy && double.IsFinite(accuracy))
                    writer.add_scalar($"replay/accuracy_level_{level}", (float)accuracy, shown);
            Histogram(HistogramTags.Advantages, advantages, shown);
            Histogram(HistogramTags.ResponseTokens, responseTokens, shown);
        }
    }

    private void Histogram(string tag, IReadOnlyList<double> values, int shown)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return;
        // A small CPU tensor made and freed here: SummaryWriter bins it (TensorFlow's rule, as PyTorch's add_histogram does by default) and writes the counts.
        using var tensor = torch.tensor(finite);
        writer.add_histogram(tag, tensor, shown, TorchSharp.Utils.tensorboard.Enums.HistogramBinSelector.Tensorflow);
    }

    private static int Shown(long step) => checked((int)(step + 1));

    /// <inheritdoc />
    public void Dispose() => (writer as IDisposable)?.Dispose();

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
