using System.Globalization;
using System.Text.Json;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// A journal an earlier build wrote, committed under Fixtures/NAME with the figures its run recorded; Fixtures/NAME/SOURCE.md
/// says how it was made. The values here are facts about that run, read off its log and journal when it was committed.
/// Tests read copies of the journal, never the committed file.
/// </summary>
/// <param name="Name">The folder under Fixtures.</param>
/// <param name="RunId">The run it holds.</param>
/// <param name="Seed">The run's <c>r1.seed</c>.</param>
/// <param name="Steps">Steps run (and applied).</param>
/// <param name="PromptsPerStep">Questions per step.</param>
/// <param name="GroupSize">Samples per question.</param>
/// <param name="Task">The run's <c>r1.grpo.task</c>.</param>
/// <param name="Events">Rows of the journal table.</param>
/// <param name="Snapshots">Rows of the snapshot table.</param>
/// <param name="FinalCheckpoint">The last checkpoint, as the run printed it and the journal records it.</param>
public sealed record JournalFixture(
    string Name, string RunId, ulong Seed, int Steps, int PromptsPerStep, int GroupSize, string Task, int Events, int Snapshots, string FinalCheckpoint)
{
    /// <summary>A run of 1a7b266, the last landed main when the fixture was made: what users had on disk then.</summary>
    public static readonly JournalFixture Of1a7b266 = new(
        "journal-1a7b266", "run-20261202-171429", 1234, 4, 4, 8, "arithmetic:2", 190, 4, ".r1/runs/run-20261202-171429/checkpoints/step-000004");

    /// <summary>Every committed journal fixture: one added beside the others goes here too, and every test runs on it.</summary>
    public static IReadOnlyList<JournalFixture> All { get; } = [Of1a7b266];

    /// <summary>The fixtures' names, as theory data.</summary>
    public static TheoryData<string> Names() => new(All.Select(f => f.Name));

    public static JournalFixture Named(string name) => All.Single(f => f.Name == name);

    /// <summary>The fixture's folder in the test output (its files may be hard links to the committed ones).</summary>
    public string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", Name);

    /// <summary>Copies the journal into <paramref name="dataDirectory"/>, as a journal carried to another machine.</summary>
    public void CopyJournalTo(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        File.Copy(Path.Combine(Folder, EngineConfig.JournalFileName), Path.Combine(dataDirectory, EngineConfig.JournalFileName));
    }

    /// <summary>One line of the run's metrics.jsonl: the 1-based step and the learner's metrics by field name.</summary>
    public sealed record RecordedStep(int Step, IReadOnlyDictionary<string, double?> Metrics)
    {
        /// <summary>
        /// The recorded fields that <paramref name="journaled"/> lacks or holds with another value (exactly: both are the
        /// same doubles, written by the same serializer); empty when the journal gives every figure the run recorded.
        /// The learner's <c>StepMetrics</c>, which metrics.jsonl holds, and the journal's <see cref="MetricsData"/> name
        /// their fields alike.
        /// </summary>
        public IReadOnlyList<string> Mismatches(MetricsData journaled) =>
            Metrics.Select(recorded => (recorded.Key, Recorded: recorded.Value, Property: typeof(MetricsData).GetProperty(recorded.Key)))
                .Select(f => f.Property is null
                    ? $"step {Step} {f.Key}: the journal no longer carries it"
                    : f.Property.GetValue(journaled) is var value && Equals(f.Recorded, value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture))
                        ? null
                        : $"step {Step} {f.Key}: recorded {f.Recorded}, journaled {value}")
                .OfType<string>().ToArray();
    }

    /// <summary>What the run's <c>r1 train</c> recorded per step (metrics.jsonl), in order.</summary>
    public IReadOnlyList<RecordedStep> Recorded() =>
        File.ReadLines(Path.Combine(Folder, "metrics.jsonl")).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var metrics = json.RootElement.GetProperty("metrics").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Null ? (double?)null : p.Value.GetDouble());
            return new RecordedStep(json.RootElement.GetProperty("step").GetInt32(), metrics);
        }).ToArray();
}
