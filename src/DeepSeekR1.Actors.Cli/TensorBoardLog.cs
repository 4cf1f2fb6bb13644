using System.Reflection;
using DeepSeekR1.Actors.Rl.Grpo;
using TorchSharp;

namespace DeepSeekR1.Actors.Cli;

/// <summary>
/// Every step's metrics as TensorBoard scalars (TorchSharp's <c>SummaryWriter</c>), under the run folder, so that
/// <c>tensorboard --logdir .r1/runs</c> shows a run the way TRL's or verl's logging does: one tag per field of
/// <see cref="StepMetrics"/>, <c>train/reward_mean</c>, <c>train/kl_mean</c>, ..., at the 1-based step <c>r1 train</c> prints.
/// A resumed run adds a new event file to the same folder, which TensorBoard reads as one series.
/// </summary>
internal sealed class TensorBoardLog : IDisposable
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

    /// <summary>Writes step <paramref name="step"/> (0-based, as the engines count; shown 1-based).</summary>
    public void Step(long step, StepMetrics metrics)
    {
        int shown = checked((int)(step + 1));
        foreach (var (tag, property) in Scalars)
            if (property.GetValue(metrics) is { } value && Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) is var number && double.IsFinite(number))
                writer.add_scalar(tag, (float)number, shown);
    }

    /// <inheritdoc />
    public void Dispose() => (writer as IDisposable)?.Dispose();

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
