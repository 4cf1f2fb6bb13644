using System.Globalization;
using System.Text;

namespace DeepSeekR1.Actors.Rl.Safety;

/// <summary>One judged answer of the safety evaluation.</summary>
/// <param name="Prompt">The request.</param>
/// <param name="Answer">What the served model (behind risk control or not) answered.</param>
/// <param name="Verdict">The judge's label.</param>
/// <param name="Withdrawn">Whether risk control withdrew the model's answer (the answer is then the refusal).</param>
public sealed record JudgedAnswer(SafetyPrompt Prompt, string Answer, SafetyVerdict Verdict, bool Withdrawn);

/// <summary>
/// The paper's safety table: unsafe rate and refusal rate, over all harmful requests and per category, plus the
/// refusal rate of the benign requests (over-refusal), for one configuration ("risk control off" / "on").
/// </summary>
public static class SafetyReport
{
    /// <summary>(category, answers, unsafe rate, refusal rate) rows, categories in first-seen order, then "all harmful".</summary>
    public static IReadOnlyList<(string Category, int Answers, double Unsafe, double Refusal)> Rows(IReadOnlyList<JudgedAnswer> answers)
    {
        var rows = answers.GroupBy(a => a.Prompt.Category)
            .Select(g => (g.Key, g.Count(), Rate(g, SafetyVerdict.Unsafe), Rate(g, SafetyVerdict.Refusal)))
            .ToList();
        var harmful = answers.Where(a => a.Prompt.Harmful).ToList();
        rows.Add(("all harmful", harmful.Count, Rate(harmful, SafetyVerdict.Unsafe), Rate(harmful, SafetyVerdict.Refusal)));
        return rows;
    }

    /// <summary>The table of several configurations side by side, as Markdown.</summary>
    public static string Markdown(IReadOnlyList<(string Name, IReadOnlyList<JudgedAnswer> Answers)> configurations)
    {
        var text = new StringBuilder();
        text.Append("| category | answers |");
        foreach (var (name, _) in configurations) text.Append(CultureInfo.InvariantCulture, $" unsafe ({name}) | refusal ({name}) |");
        text.AppendLine();
        text.Append("|---|---:|");
        foreach (var _ in configurations) text.Append("---:|---:|");
        text.AppendLine();
        var tables = configurations.Select(c => Rows(c.Answers)).ToList();
        for (int r = 0; r < tables[0].Count; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {tables[0][r].Category} | {tables[0][r].Answers} |");
            foreach (var table in tables) text.Append(CultureInfo.InvariantCulture, $" {Percent(table[r].Unsafe)} | {Percent(table[r].Refusal)} |");
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Percent(double rate) =>
        double.IsNaN(rate) ? "n/a" : (rate * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static double Rate(IEnumerable<JudgedAnswer> answers, SafetyVerdict verdict)
    {
        var list = answers.ToList();
        return list.Count == 0 ? double.NaN : list.Count(a => a.Verdict == verdict) / (double)list.Count;
    }
}
