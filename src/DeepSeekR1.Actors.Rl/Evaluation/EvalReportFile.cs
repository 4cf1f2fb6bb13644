using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>
/// An evaluation report kept on disk with what produced it (a fingerprint of the checkpoint and settings), so a later
/// process can reuse it instead of sampling again: <c>r1 train</c>'s "before" evaluation, which a resumed run would
/// otherwise repeat. A file whose fingerprint differs, or that cannot be read, is not used (the evaluation runs again).
/// </summary>
public static class EvalReportFile
{
    /// <summary>Writes <paramref name="report"/> with <paramref name="fingerprint"/> (via a temporary file: never half written).</summary>
    public static void Save(string path, EvalReport report, string fingerprint)
    {
        var json = new JsonObject
        {
            ["fingerprint"] = fingerprint,
            ["task"] = report.Task,
            ["split"] = report.Split.ToString(),
            ["samples"] = report.Samples,
            ["questions"] = JsonSerializer.SerializeToNode(report.Questions),
        };
        string temporary = path + ".partial";
        File.WriteAllText(temporary, json.ToJsonString());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The report saved at <paramref name="path"/> under the same fingerprint, or null.</summary>
    public static EvalReport? Load(string path, string fingerprint) => Read(path, fingerprint);

    /// <summary>The report saved at <paramref name="path"/> whatever produced it (for showing it, not reusing it), or null.</summary>
    public static EvalReport? Load(string path) => Read(path, fingerprint: null);

    private static EvalReport? Read(string path, string? fingerprint)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            if (fingerprint is not null && (string?)json["fingerprint"] != fingerprint) return null;
            var questions = json["questions"].Deserialize<QuestionResult[]>() ?? throw new JsonException("no questions");
            return EvalReport.Of((string)json["task"]!, Enum.Parse<TaskSplit>((string)json["split"]!), (int)json["samples"]!, questions);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or NullReferenceException)
        {
            return null;
        }
    }
}
