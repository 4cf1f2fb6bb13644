using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Reads GSM8K's JSONL files: each line has <c>question</c> and <c>answer</c>, where the answer is a
/// worked solution whose last line is <c>#### n</c>. The gold answer is n with thousands separators
/// removed; the worked solution is not kept (the reward checks only the final answer).
/// </summary>
public static partial class Gsm8kDataset
{
    private const string FinalAnswerMarker = "####";

    /// <summary>Streams the items of one GSM8K file.</summary>
    /// <param name="path">A GSM8K JSONL file, for example <c>train.jsonl</c>.</param>
    /// <param name="errors">Null for a strict read; otherwise collects bad lines while the read goes on.</param>
    /// <returns>Items with ids <c>gsm8k-{file name}-{line}</c>, kind <see cref="AnswerKind.Math"/>, language <c>en</c>, no level.</returns>
    public static IEnumerable<TaskItem> Read(string path, ICollection<DatasetFormatException>? errors = null)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return JsonlReader.Read(path, record => new TaskItem(
            Id: $"gsm8k-{stem}-{record.Line}",
            Question: record.RequiredString("question"),
            Gold: FinalAnswer(record),
            Kind: AnswerKind.Math,
            Level: 0,
            Language: "en"), errors);
    }

    /// <summary>The number after the last <c>####</c> of a GSM8K solution, without commas.</summary>
    /// <param name="solution">A GSM8K <c>answer</c> field.</param>
    /// <returns>The number, or <see langword="null"/> when the solution has no numeric final answer.</returns>
    public static string? ExtractFinalAnswer(string solution)
    {
        int marker = solution.LastIndexOf(FinalAnswerMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }

        string number = solution[(marker + FinalAnswerMarker.Length)..].Trim().Replace(",", "", StringComparison.Ordinal);
        return Number().IsMatch(number) ? number : null;
    }

    private static string FinalAnswer(JsonlRecord record) =>
        ExtractFinalAnswer(record.RequiredString("answer"))
        ?? throw record.Error("answer", "does not end with '#### <number>'");

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex Number();
}
