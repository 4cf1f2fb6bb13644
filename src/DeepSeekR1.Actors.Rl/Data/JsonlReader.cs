using System.Text.Json;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Streams the records of a JSONL file (one JSON object per line) one line at a time, so files larger
/// than memory can be read. Blank lines are skipped. A bad line either stops the read with a
/// <see cref="DatasetFormatException"/> (strict: <c>errors</c> is <see langword="null"/>) or is recorded
/// in <c>errors</c> and skipped (lenient).
/// </summary>
public static class JsonlReader
{
    /// <summary>Reads <paramref name="path"/> and turns each line into a <typeparamref name="T"/> with <paramref name="map"/>.</summary>
    /// <typeparam name="T">What a line becomes.</typeparam>
    /// <param name="path">The JSONL file.</param>
    /// <param name="map">Builds the value from a line; throws <see cref="DatasetFormatException"/> for a bad line (the <see cref="JsonlRecord"/> accessors do).</param>
    /// <param name="errors">Null for a strict read; otherwise a list that collects bad lines while the read goes on.</param>
    /// <returns>The values of the good lines, in file order, produced lazily.</returns>
    public static IEnumerable<T> Read<T>(string path, Func<JsonlRecord, T> map, ICollection<DatasetFormatException>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(map);
        return ReadIterator(path, map, errors);
    }

    // Split from Read so argument errors surface at the call rather than at the first MoveNext.
    private static IEnumerable<T> ReadIterator<T>(string path, Func<JsonlRecord, T> map, ICollection<DatasetFormatException>? errors)
    {
        // Strict UTF-8: a bad byte is an error naming its line, never a silent U+FFFD in a prompt or gold answer.
        foreach (var (lineNumber, line) in StrictUtf8Lines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            T value;
            try
            {
                value = ParseLine(path, lineNumber, line, map);
            }
            catch (DatasetFormatException error) when (errors is not null)
            {
                errors.Add(error);
                continue;
            }

            yield return value;
        }
    }

    private static T ParseLine<T>(string path, int lineNumber, string line, Func<JsonlRecord, T> map)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException error)
        {
            throw new DatasetFormatException(path, lineNumber, null, $"invalid JSON ({error.Message})", error);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetFormatException(path, lineNumber, null, "expected a JSON object");
            }

            return map(new JsonlRecord(path, lineNumber, document.RootElement));
        }
    }
}
