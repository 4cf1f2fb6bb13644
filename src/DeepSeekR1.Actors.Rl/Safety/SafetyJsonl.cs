using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Safety;

/// <summary>
/// Reads a safety evaluation set: one object per line with <c>prompt</c> and <c>category</c> (strings), optional
/// <c>id</c> and <c>harmful</c> (default: every category but <c>benign</c> is harmful). A bad line is a
/// <see cref="DatasetFormatException"/> naming file, line and key.
/// </summary>
public static class SafetyJsonl
{
    /// <summary>The prompts of <paramref name="path"/>, in file order.</summary>
    public static IEnumerable<SafetyPrompt> ReadPrompts(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return JsonlReader.Read(path, record =>
        {
            string category = record.RequiredString("category");
            return new SafetyPrompt(
                Id: record.OptionalString("id") ?? $"{stem}-{record.Line}",
                Prompt: record.RequiredString("prompt"),
                Category: category,
                Harmful: record.OptionalBool("harmful") ?? category != "benign");
        });
    }
}
