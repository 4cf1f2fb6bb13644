namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Reads supervised fine-tuning pairs from JSONL: each line has <c>prompt</c> and <c>completion</c>
/// (strings, required) and optionally <c>id</c>. Same error discipline as the other loaders.
/// </summary>
public static class SftJsonl
{
    /// <summary>Streams the pairs of one file.</summary>
    /// <param name="path">The JSONL file.</param>
    /// <param name="errors">Null for a strict read; otherwise collects bad lines while the read goes on.</param>
    /// <returns>The pairs, in file order.</returns>
    public static IEnumerable<SftPair> Read(string path, ICollection<DatasetFormatException>? errors = null)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return JsonlReader.Read(path, record => new SftPair(
            Id: record.OptionalString("id") ?? $"{stem}-{record.Line}",
            Prompt: record.RequiredString("prompt"),
            Completion: record.RequiredString("completion")), errors);
    }
}
