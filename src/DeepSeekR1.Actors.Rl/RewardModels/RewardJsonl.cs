using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// Reads the two reward-model data formats (docs/reward-models.md). Preferences: one object per line with
/// <c>prompt</c>, <c>chosen</c> and <c>rejected</c> strings (TRL's explicit-prompt preference format), optional
/// <c>id</c>. Safety: <c>prompt</c>, <c>response</c>, <c>label</c> (<c>safe</c> or <c>unsafe</c>), optional <c>id</c>
/// and <c>category</c>. A bad line is a <see cref="DatasetFormatException"/> naming file, line and key.
/// </summary>
public static class RewardJsonl
{
    /// <summary>The preference pairs of <paramref name="path"/>, in file order.</summary>
    public static IEnumerable<PreferencePair> ReadPreferences(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return JsonlReader.Read(path, record =>
        {
            var pair = new PreferencePair(
                Id: record.OptionalString("id") ?? $"{stem}-{record.Line}",
                Prompt: record.RequiredString("prompt"),
                Chosen: record.RequiredString("chosen"),
                Rejected: record.RequiredString("rejected"));
            if (pair.Chosen == pair.Rejected) throw record.Error("rejected", "is the same text as 'chosen': the pair says nothing");
            return pair;
        });
    }

    /// <summary>The labelled responses of <paramref name="path"/>, in file order.</summary>
    public static IEnumerable<SafetyExample> ReadSafety(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return JsonlReader.Read(path, record =>
        {
            string label = record.RequiredString("label");
            bool safe = label switch
            {
                "safe" => true,
                "unsafe" => false,
                _ => throw record.Error("label", $"is '{label}', not \"safe\" or \"unsafe\""),
            };
            return new SafetyExample(
                Id: record.OptionalString("id") ?? $"{stem}-{record.Line}",
                Prompt: record.RequiredString("prompt"),
                Response: record.RequiredString("response"),
                Safe: safe,
                Category: record.OptionalString("category") ?? "");
        });
    }
}
