using System.Globalization;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Analysis;

namespace DeepSeekR1.Actors.Cli.Replay;

/// <summary>
/// <c>report.md</c>: what run was replayed, a table of the paper's measures (first and last value, the change over
/// the run, the largest change from one step to the next), the per-level accuracies, whether the run shows the paper's
/// four self-evolution phenomena (<see cref="SelfEvolution"/>), and the charts.
/// </summary>
public static class ReplayReport
{
    /// <summary>The file's name.</summary>
    public const string FileName = "report.md";

    /// <summary>The measures the summary table shows, by CSV column.</summary>
    public static IReadOnlyList<string> Measures { get; } =
        ["accuracy", "reward_mean", "response_tokens_mean", "reflective_words", "word_wait", "reflection_share", "accuracy_with_reflection", "accuracy_without_reflection", "language_mixing", "kl", "clip_fraction", "step_seconds"];

    /// <summary>Writes the report.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="runId">The run.</param>
    /// <param name="projection">The replayed run.</param>
    /// <param name="steps">Its steps (<see cref="RunProjection.Steps"/>).</param>
    /// <param name="heldOut">The run's held-out pass@1 before and after training, when r1 train kept them.</param>
    public static void Write(TextWriter output, string runId, RunProjection projection, IReadOnlyList<ReplayStep> steps, HeldOut? heldOut = null)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"# Replay of run `{runId}`");
        output.WriteLine();
        if (projection.Started is { } s)
            output.WriteLine(string.Create(inv, $"Task `{s.Task}`, {s.Steps} steps x {s.PromptsPerStep} questions x {s.GroupSize} samples, seed {s.Seed}."));
        string state = projection.State == RunStates.New ? "not started (no events yet)" : projection.State;
        output.WriteLine(string.Create(inv, $"State: {state}; {steps.Count} steps applied; {projection.Events} events read from the journal."));
        output.WriteLine();
        if (projection.Failure is { } failure) output.WriteLine($"The run failed: {failure}");
        output.WriteLine(projection.StepsAppliedTwice.Count == 0
            ? "Every step was applied exactly once."
            : $"Steps applied more than once: {string.Join(", ", projection.StepsAppliedTwice.Select(st => st + 1))}.");
        output.WriteLine(projection.Restarts.Count == 0
            ? "Engine restarts: none."
            : string.Create(inv, $"Engine restarts: {projection.Restarts.Count} ({string.Join("; ", projection.Restarts.Select(r => $"restart {r.Restart} of {r.MaxRestarts} after {r.Cause}, with {r.StepsCompleted} steps recorded"))})."));
        output.WriteLine();
        if (heldOut is { Before: var before, After: var after } && (before is not null || after is not null))
        {
            string Of(Rl.Evaluation.EvalReport? r) => r is null ? "not measured"
                : string.Create(inv, $"{r.Overall.PassAt1 * 100:F1}% ({r.Questions.Count} questions x {r.Samples})");
            output.WriteLine($"Held-out pass@1 (r1 train's evaluations in the run folder): before {Of(before)}, after {Of(after)}.");
            output.WriteLine();
        }
        output.WriteLine($"Per-step values: [{MetricsCsv.FileName}]({MetricsCsv.FileName}); accuracy per difficulty level: [{LevelAccuracyCsv.FileName}]({LevelAccuracyCsv.FileName}).");
        output.WriteLine();
        if (steps.Count == 0)
        {
            output.WriteLine("No step has been applied yet.");
            return;
        }

        output.WriteLine("## Summary");
        output.WriteLine();
        output.WriteLine("| measure | first step | last step | change | last / first | largest step-to-step change |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (string name in Measures)
            output.WriteLine(Row(StepRow.Named(name), steps));
        foreach (int level in LevelAccuracyCsv.Levels)
        {
            var column = new StepRow.Column($"level_{level}", $"accuracy, level {level}", st => LevelAccuracyCsv.Accuracy(st, level));
            if (steps.Any(st => column.Value(st) is not null)) output.WriteLine(Row(column, steps));
        }
        output.WriteLine();
        // A flat zero reads like a broken chart; say that it is the run's own value.
        var zero = Measures.Select(StepRow.Named).Where(c => steps.All(st => c.Value(st) is null or 0)).Select(c => c.Label).ToArray();
        if (zero.Length > 0)
        {
            output.WriteLine($"Zero at every step of this run (not a missing value): {string.Join(", ", zero)}.");
            output.WriteLine();
        }

        // The paper's self-evolution phenomena, each judged from the run's first and last steps and said plainly.
        output.WriteLine("## Self-evolution (the paper's four phenomena)");
        output.WriteLine();
        foreach (var finding in SelfEvolution.Assess(steps.Select(st => (st.Step, st.Analysis)).ToArray()))
        {
            string verdict = finding.Seen switch { true => "seen", false => "not seen", null => "cannot tell" };
            output.WriteLine($"- **{finding.Phenomenon}**: {verdict}. {char.ToUpperInvariant(finding.Evidence[0])}{finding.Evidence[1..]}.");
        }
        output.WriteLine();

        foreach (var chart in ReplayCharts.For(steps))
        {
            output.WriteLine($"## {chart.Title}");
            output.WriteLine();
            output.WriteLine($"![{chart.Title}]({chart.FileName})");
            output.WriteLine();
        }
    }

    // One measure: its first and last defined values, the change between them, their ratio, and the largest jump
    // between consecutive steps where both are defined (the step it happened at).
    private static string Row(StepRow.Column column, IReadOnlyList<ReplayStep> steps)
    {
        var values = steps.Select(s => (Step: s.Step + 1, Value: column.Value(s)))
            .Where(p => p.Value is { } v && double.IsFinite(v)).Select(p => (p.Step, Value: p.Value!.Value)).ToArray();
        if (values.Length == 0) return $"| {column.Label} | | | | | |";
        var (first, last) = (values[0], values[^1]);
        string ratio = first.Value != 0 ? Format(last.Value / first.Value) + "x" : "";
        string jump = "";
        if (values.Length > 1)
        {
            var largest = values.Zip(values.Skip(1), (a, b) => (b.Step, Delta: b.Value - a.Value)).MaxBy(d => Math.Abs(d.Delta));
            jump = largest.Delta == 0 ? "none" : $"{Signed(largest.Delta)} at step {largest.Step}";
        }
        return $"| {column.Label} | {Format(first.Value)} (step {first.Step}) | {Format(last.Value)} (step {last.Step}) | {Signed(last.Value - first.Value)} | {ratio} | {jump} |";
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Signed(double value) => (value > 0 ? "+" : "") + Format(value);
}
