using System.Globalization;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Reads competition-math JSONL in the MATH schema, which MATH-500, AIME 2024 and most reasoning benchmarks share:
/// the question in <c>problem</c> (or <c>question</c>), the final answer in <c>answer</c> (else the last
/// <c>\boxed{}</c> of <c>solution</c>), an optional <c>level</c> (1-5, or MATH's own "Level 3"), <c>subject</c>, and
/// an id in <c>unique_id</c> or <c>id</c>.
/// </summary>
public static class MathDataset
{
    /// <summary>Streams the items of one file.</summary>
    /// <param name="path">A JSONL file in the MATH schema.</param>
    /// <param name="errors">Null for a strict read; otherwise collects bad lines while the read goes on.</param>
    /// <returns>Items of kind <see cref="AnswerKind.Math"/>, ids from the file or <c>{file name}-{line}</c>.</returns>
    public static IEnumerable<TaskItem> Read(string path, ICollection<DatasetFormatException>? errors = null)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return JsonlReader.Read(path, record => new TaskItem(
            Id: Id(record, stem),
            Question: record.OptionalString("problem") ?? record.RequiredString("question"),
            Gold: Gold(record),
            Kind: AnswerKind.Math,
            Level: Level(record),
            Language: record.OptionalString("language") ?? "en",
            Subject: record.OptionalString("subject") ?? ""), errors);
    }

    // MATH's unique_id is already a path ("test/precalculus/807.json"); a bare id (AIME's number) gets the file's name.
    private static string Id(JsonlRecord record, string stem) =>
        record.OptionalStringOrNumber("unique_id")
        ?? (record.OptionalStringOrNumber("id") is { } id ? $"{stem}-{id}" : $"{stem}-{record.Line}");

    private static string Gold(JsonlRecord record)
    {
        if (record.OptionalStringOrNumber("answer") is { } answer && !string.IsNullOrWhiteSpace(answer)) return answer.Trim();
        string solution = record.OptionalString("solution") ?? throw record.Error("answer", "missing (and no solution to take a \\boxed{} answer from)");
        return AnswerExtractor.LastBoxed(solution)?.Trim() is { Length: > 0 } boxed
            ? boxed
            : throw record.Error("solution", "has no \\boxed{} final answer, and there is no answer field");
    }

    private static int Level(JsonlRecord record)
    {
        string? text = record.OptionalStringOrNumber("level");
        if (text is null) return 0;
        string digits = text.StartsWith("Level ", StringComparison.OrdinalIgnoreCase) ? text[6..].Trim() : text;
        // MATH has a handful of "Level ?" problems: no level rather than a wrong one.
        if (digits == "?") return 0;
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int level) && level is >= 1 and <= 5
            ? level
            : throw record.Error("level", $"'{text}' is not a level 1-5 (or \"Level N\")");
    }
}
