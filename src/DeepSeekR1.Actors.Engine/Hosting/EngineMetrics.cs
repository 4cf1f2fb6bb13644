using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The engine's operator metrics, as <see cref="System.Diagnostics.Metrics"/> instruments of the meter
/// <see cref="MeterName"/>: readable live with <c>dotnet-counters monitor --counters DeepSeekR1.Actors -n r1</c>, and
/// exported over OTLP when <c>r1.telemetry.otlp-endpoint</c> is set (<see cref="TelemetryExport"/>). Every measurement
/// carries the run id as the tag <c>run</c>. The instruments are the process's own (static), as a meter is.
/// </summary>
public static class EngineMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "DeepSeekR1.Actors";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Steps the learner applied and journaled.</summary>
    public static readonly Counter<long> StepsApplied = Meter.CreateCounter<long>("r1.steps", "{step}", "GRPO steps applied and journaled");

    /// <summary>Seconds of each step's update (advantages, forward, backward, optimizer), not the wait for its groups.</summary>
    public static readonly Histogram<double> UpdateSeconds = Meter.CreateHistogram<double>("r1.update.duration", "s", "The learner's update of one step");

    /// <summary>Seconds the learner waited for a step's groups after the step before it.</summary>
    public static readonly Histogram<double> WaitSeconds = Meter.CreateHistogram<double>("r1.learner.wait.duration", "s", "The learner idle between steps");

    /// <summary>Seconds to write a step's checkpoint.</summary>
    public static readonly Histogram<double> CheckpointSeconds = Meter.CreateHistogram<double>("r1.checkpoint.duration", "s", "Writing one step's checkpoint");

    /// <summary>Seconds from asking the journal to persist a step to its confirmation.</summary>
    public static readonly Histogram<double> JournalWriteSeconds = Meter.CreateHistogram<double>("r1.journal.write.duration", "s", "Journaling one applied step");

    /// <summary>Each step's mean reward.</summary>
    public static readonly Histogram<double> RewardMean = Meter.CreateHistogram<double>("r1.reward.mean", "1", "Mean reward of a step's outputs");

    /// <summary>Completion tokens the samplers generated.</summary>
    public static readonly Counter<long> TokensGenerated = Meter.CreateCounter<long>("r1.rollout.tokens", "{token}", "Completion tokens generated");

    /// <summary>Seconds of each generation batch.</summary>
    public static readonly Histogram<double> GenerationSeconds = Meter.CreateHistogram<double>("r1.generation.duration", "s", "One sampler batch");

    /// <summary>Samples offered to the work queue and not yet handed to a sampler.</summary>
    public static readonly UpDownCounter<long> QueuedSamples = Meter.CreateUpDownCounter<long>("r1.work_queue.pending", "{sample}", "Samples waiting for a sampler");

    /// <summary>The tag list of run <paramref name="runId"/>.</summary>
    public static TagList Run(string runId) => new() { { "run", runId } };
}
