using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>The result of evaluating a policy on a task: overall figures, the same per difficulty level, and every sample.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Split">The split evaluated.</param>
/// <param name="Samples">K, the samples per question.</param>
/// <param name="Overall">Figures over all questions.</param>
/// <param name="ByLevel">Figures per difficulty level (0 = the task has no levels), for the levels present, in order.</param>
/// <param name="Questions">Every question with its samples, in evaluation order.</param>
/// <param name="BySubject">Figures per subject, for the subjects present, in name order; empty when the task has none.</param>
public sealed record EvalReport(
    string Task,
    TaskSplit Split,
    int Samples,
    EvalSummary Overall,
    IReadOnlyDictionary<int, EvalSummary> ByLevel,
    IReadOnlyList<QuestionResult> Questions,
    IReadOnlyDictionary<string, EvalSummary>? BySubject = null)
{
    /// <summary>Builds the report of <paramref name="questions"/>, summarising overall and per level.</summary>
    /// <param name="task">The task's name.</param>
    /// <param name="split">The split evaluated.</param>
    /// <param name="samples">K.</param>
    /// <param name="questions">The scored questions.</param>
    /// <returns>The report.</returns>
    public static EvalReport Of(string task, TaskSplit split, int samples, IReadOnlyList<QuestionResult> questions)
    {
        var byLevel = new SortedDictionary<int, EvalSummary>(
            questions.GroupBy(q => q.Level).ToDictionary(g => g.Key, g => EvalSummary.Of(g.ToArray())));
        var bySubject = new SortedDictionary<string, EvalSummary>(
            questions.Where(q => q.Subject.Length > 0).GroupBy(q => q.Subject).ToDictionary(g => g.Key, g => EvalSummary.Of(g.ToArray())), StringComparer.Ordinal);
        return new EvalReport(task, split, samples, EvalSummary.Of(questions), byLevel, questions, bySubject);
    }

    /// <summary>
    /// The report's figures as one JSON object: task, split, samples, the overall summary's fields (questions,
    /// pass_at_1, cons_at_k, format_rate, ...) and by_level, keyed by level ("0" = no level). Per-question details are
    /// left out (they are the lines of <see cref="Questions"/>).
    /// </summary>
    /// <returns>The object.</returns>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["task"] = Task,
            ["split"] = Split.ToString().ToLowerInvariant(),
            ["samples"] = Samples,
        };
        foreach (var (key, value) in JsonSerializer.SerializeToNode(Overall)!.AsObject())
            json[key] = value?.DeepClone();
        var levels = new JsonObject();
        foreach (var (level, summary) in ByLevel)
            levels[level.ToString(CultureInfo.InvariantCulture)] = JsonSerializer.SerializeToNode(summary);
        json["by_level"] = levels;
        var subjects = new JsonObject();
        foreach (var (subject, summary) in BySubject ?? new Dictionary<string, EvalSummary>())
            subjects[subject] = JsonSerializer.SerializeToNode(summary);
        json["by_subject"] = subjects;
        return json;
    }
}
