using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Reads a generic question-answer JSONL file, the format for bringing your own data. Each line:
/// <c>question</c> (string, required), <c>answer</c> (string or number, required) — or the fields
/// <see cref="QaJsonlFields"/> names instead (<c>r1.jsonl.question-field</c>, <c>answer-field</c>) — and optionally
/// <c>level</c> (1..5), <c>language</c> (string, default <c>en</c>), <c>id</c> (string, default
/// <c>{file name}-{line}</c>) and <c>numbers</c> (array of whole numbers: the item is then a Countdown
/// puzzle whose answer is its target).
/// </summary>
public static class QaJsonlDataset
{
    /// <summary>Highest difficulty level a line may declare.</summary>
    public const int MaxLevel = 5;

    /// <summary>Streams the items of one file.</summary>
    /// <param name="path">The JSONL file.</param>
    /// <param name="errors">Null for a strict read; otherwise collects bad lines while the read goes on.</param>
    /// <param name="fields">The fields of the question and the answer; <see cref="QaJsonlFields.Defaults"/> when null.</param>
    /// <returns>The items, in file order.</returns>
    public static IEnumerable<TaskItem> Read(string path, ICollection<DatasetFormatException>? errors = null, QaJsonlFields? fields = null)
    {
        var names = (fields ?? QaJsonlFields.Defaults).Validate();
        string stem = Path.GetFileNameWithoutExtension(path);
        return JsonlReader.Read(path, record =>
        {
            IReadOnlyList<int>? numbers = record.OptionalIntArray("numbers");
            return new TaskItem(
                Id: record.OptionalString("id") ?? $"{stem}-{record.Line}",
                Question: record.RequiredString(names.QuestionField),
                Gold: record.RequiredStringOrNumber(names.AnswerField).Trim(),
                Kind: numbers is null ? AnswerKind.Math : AnswerKind.CountdownExpression,
                Level: record.OptionalInt("level", 1, MaxLevel) ?? 0,
                Language: record.OptionalString("language") ?? "en",
                Numbers: numbers);
        }, errors);
    }
}
