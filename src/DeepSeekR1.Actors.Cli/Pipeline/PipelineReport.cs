using System.Globalization;
using System.Text;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Cli.Pipeline;

/// <summary>
/// The pipeline's report, from its journal alone: <c>stages.csv</c> (one row per stage checkpoint, the paper's
/// columns as fractions 0-1) and <c>report.md</c> (the same table, the R1-Zero row beside the recipe's, the
/// rejection-sampling counts, and what the figures say and do not say). Written after every stage, so a pipeline
/// that stops midway still has the rows it finished.
/// </summary>
public static class PipelineReport
{
    /// <summary>The columns of <c>stages.csv</c>, in order.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["stage", "checkpoint", "pass_at_1", "cons_at_k", "response_tokens_mean", "language_mixing", "format_rate"];

    /// <summary>Writes both files into <paramref name="folder"/>; returns the report's path.</summary>
    public static string Write(string folder, string pipelineId, PipelinePlan plan, IReadOnlyList<PipelineStageCompleted> completed, bool finished)
    {
        Directory.CreateDirectory(folder);
        var rows = completed.Where(c => PipelineStages.MakesCheckpoint(c.Stage)).ToList();
        var csv = new StringBuilder(string.Join(',', Columns)).Append('\n');
        foreach (var row in rows)
            csv.Append(string.Join(',', Columns.Select(c => c switch
            {
                "stage" => row.Stage,
                "checkpoint" => Csv(row.Output),
                _ => Number(Figure(row, c)),
            }))).Append('\n');
        File.WriteAllText(Path.Combine(folder, "stages.csv"), csv.ToString());

        var md = new StringBuilder();
        md.Append($"# Pipeline {pipelineId}\n\n");
        md.Append(finished ? "All stages finished.\n\n" : $"In progress: {completed.Count} of {plan.Stages.Count} stages finished.\n\n");
        md.Append($"Task `{plan.Task}`; every checkpoint evaluated on {plan.EvalLimit} held-out questions x {plan.EvalSamples} samples ")
          .Append("(pass@1 = mean accuracy of the samples, cons@k = majority vote; fractions 0-1).\n\n");
        md.Append("| stage | pass@1 | cons@k | response tokens | language mixing | format | minutes |\n|---|---|---|---|---|---|---|\n");
        foreach (var row in rows.Where(r => r.Stage != PipelineStages.R1Zero).Concat(rows.Where(r => r.Stage == PipelineStages.R1Zero)))
        {
            string name = row.Stage == PipelineStages.R1Zero ? "r1-zero (RL from base, for comparison)" : row.Stage;
            md.Append($"| {name} | {Number(Figure(row, "pass_at_1"))} | {Number(Figure(row, "cons_at_k"))} | {Number(Figure(row, "response_tokens_mean"))} ")
              .Append($"| {Number(Figure(row, "language_mixing"))} | {Number(Figure(row, "format_rate"))} | {Number(row.Seconds / 60)} |\n");
        }
        foreach (var sampling in completed.Where(c => c.Stage is PipelineStages.RejectionSampling or PipelineStages.Distill))
        {
            string prefix = sampling.Stage == PipelineStages.Distill ? "traces_" : "";
            var counts = sampling.Figures.Where(f => f.Name.StartsWith(prefix, StringComparison.Ordinal) && !IsEvaluation(f.Name)).ToList();
            if (counts.Count == 0) continue;
            md.Append($"\n## {(prefix.Length > 0 ? "Distillation traces" : "Rejection sampling")}\n\n| count | value |\n|---|---|\n");
            foreach (var f in counts) md.Append($"| {f.Name[prefix.Length..]} | {Number(f.Value)} |\n");
        }
        md.Append(Effects(completed));
        md.Append("\n## What this run does not show yet\n\n");
        md.Append("- Alignment RL uses the rule rewards only unless `r1.pipeline.alignment-rl.set` gives it general prompts and reward-model " +
            "checkpoints (`r1.train.general-prompts`, `r1.rewards.models.helpfulness` / `safety`; docs/reward-models.md): the pipeline trains no reward model itself.\n");
        if (!completed.Any(c => c.Stage == PipelineStages.RejectionSft && Figure(c, "general_examples") > 0))
            md.Append("- Rejection-sampling SFT mixed in no general (non-reasoning) data: none was given (`r1.pipeline.rejection-sft.general-data`).\n");
        if (!plan.Task.StartsWith(Rl.Tasks.TaskCatalog.ArithmeticBilingual, StringComparison.Ordinal))
            md.Append($"- The task `{plan.Task}` asks in English only, so language mixing is measured but has nothing to mix with.\n");
        md.Append("- The student of distillation is the base model's size (no smaller pretrained model ships), so it is a same-size distillation.\n");
        string report = Path.Combine(folder, "report.md");
        File.WriteAllText(report, md.ToString());
        return report;
    }

    // The paper's findings, each stated with the two figures it rests on and whether this run shows it.
    private static string Effects(IReadOnlyList<PipelineStageCompleted> completed)
    {
        var by = completed.ToDictionary(c => c.Stage);
        double F(string stage, string figure) => by.TryGetValue(stage, out var c) ? Figure(c, figure) : double.NaN;
        var lines = new List<string>();
        void Compare(string claim, string a, string b, string figure, bool higher)
        {
            double x = F(a, figure), y = F(b, figure);
            if (double.IsNaN(x) || double.IsNaN(y)) return;
            bool shown = higher ? x > y : x < y;
            lines.Add($"- {claim}: {figure} {Number(x)} ({a}) vs {Number(y)} ({b}): **{(shown ? "reproduced" : "not reproduced")}**.");
        }
        Compare("Cold start makes the output readable (format)", PipelineStages.ColdStart, PipelineStages.Base, "format_rate", higher: true);
        Compare("Cold start writes longer chains of thought", PipelineStages.ColdStart, PipelineStages.Base, "response_tokens_mean", higher: true);
        Compare("Reasoning RL raises accuracy over the cold start", PipelineStages.ReasoningRl, PipelineStages.ColdStart, "pass_at_1", higher: true);
        Compare("The language-consistency reward lowers language mixing", PipelineStages.ReasoningRl, PipelineStages.ReasoningRlNoLanguage, "language_mixing", higher: false);
        Compare("... at a small cost in accuracy (the paper: a slight drop)", PipelineStages.ReasoningRl, PipelineStages.ReasoningRlNoLanguage, "pass_at_1", higher: false);
        Compare("Rejection-sampling SFT from the base model beats stage 2's accuracy", PipelineStages.RejectionSft, PipelineStages.ReasoningRl, "pass_at_1", higher: true);
        Compare("Alignment RL ends above R1-Zero", PipelineStages.AlignmentRl, PipelineStages.R1Zero, "pass_at_1", higher: true);
        Compare("The distilled student beats RL on the same small model (R1-Zero)", PipelineStages.Distill, PipelineStages.R1Zero, "pass_at_1", higher: true);
        return lines.Count == 0 ? "" : "\n## The paper's effects, at this scale\n\n" + string.Join('\n', lines) + "\n";
    }

    private static bool IsEvaluation(string name) => Columns.Contains(name) || name == "truncated_rate";

    /// <summary>A figure of a stage by name; NaN when it has none.</summary>
    public static double Figure(PipelineStageCompleted stage, string name) =>
        stage.Figures.LastOrDefault(f => f.Name == name)?.Value ?? double.NaN;

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Csv(string text) => text.Contains(',') || text.Contains('"') ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
