using System.Globalization;
using System.Text.Json;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// One parsed line of a JSONL file, with typed accessors that report a missing or wrongly typed key as a
/// <see cref="DatasetFormatException"/> naming the file, line and key.
/// </summary>
public readonly struct JsonlRecord
{
    private readonly JsonElement _root;

    /// <summary>Wraps a line's JSON object.</summary>
    /// <param name="file">Path of the file the line came from.</param>
    /// <param name="line">One-based line number.</param>
    /// <param name="root">The line's parsed value (must be an object).</param>
    public JsonlRecord(string file, int line, JsonElement root)
    {
        File = file;
        Line = line;
        _root = root;
    }

    /// <summary>Path of the file the line came from.</summary>
    public string File { get; }

    /// <summary>One-based line number.</summary>
    public int Line { get; }

    /// <summary>A <see cref="DatasetFormatException"/> located at this line.</summary>
    /// <param name="key">The key at fault, or <see langword="null"/> for the whole line.</param>
    /// <param name="problem">What is wrong.</param>
    /// <returns>The exception, for the caller to throw.</returns>
    public DatasetFormatException Error(string? key, string problem) => new(File, Line, key, problem);

    /// <summary>A string value that must be present and not blank.</summary>
    /// <param name="key">The JSON key.</param>
    /// <returns>The string.</returns>
    public string RequiredString(string key)
    {
        if (!_root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Error(key, "missing");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(key, $"expected a string, found {Describe(value.ValueKind)}");
        }

        string text = value.GetString()!;
        return string.IsNullOrWhiteSpace(text) ? throw Error(key, "empty") : text;
    }

    /// <summary>
    /// A value that must be present and is either a string or a JSON number; a number is returned as
    /// written in the file (so <c>42</c> and <c>"42"</c> both read as <c>42</c>, and precision is kept).
    /// </summary>
    /// <param name="key">The JSON key.</param>
    /// <returns>The text of the value.</returns>
    public string RequiredStringOrNumber(string key)
    {
        if (_root.TryGetProperty(key, out JsonElement value) && value.ValueKind == JsonValueKind.Number)
        {
            return value.GetRawText();
        }

        return RequiredString(key);
    }

    /// <summary>The value of <paramref name="key"/> as text (a number as written); null when absent or null.</summary>
    public string? OptionalStringOrNumber(string key) =>
        _root.TryGetProperty(key, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : OptionalString(key);

    /// <summary>An optional string value; absent or null reads as <see langword="null"/>.</summary>
    /// <param name="key">The JSON key.</param>
    /// <returns>The string, or <see langword="null"/>.</returns>
    public string? OptionalString(string key)
    {
        if (!_root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error(key, $"expected a string, found {Describe(value.ValueKind)}");
    }

    /// <summary>An optional boolean; absent or null reads as <see langword="null"/>.</summary>
    /// <param name="key">The JSON key.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public bool? OptionalBool(string key)
    {
        if (!_root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(key, $"expected true or false, found {Describe(value.ValueKind)}"),
        };
    }

    /// <summary>An optional whole number within [<paramref name="min"/>, <paramref name="max"/>]; absent or null reads as <see langword="null"/>.</summary>
    /// <param name="key">The JSON key.</param>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    /// <returns>The number, or <see langword="null"/>.</returns>
    public int? OptionalInt(string key, int min, int max)
    {
        if (!_root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number))
        {
            throw Error(key, $"expected a whole number, found {Describe(value.ValueKind)} {Clip(value.GetRawText())}");
        }

        return number < min || number > max
            ? throw Error(key, $"{number} is outside {min}..{max}")
            : number;
    }

    /// <summary>A non-empty array of non-blank strings that must be present.</summary>
    /// <param name="key">The JSON key.</param>
    /// <returns>The strings.</returns>
    public IReadOnlyList<string> RequiredStringArray(string key)
    {
        if (!_root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Error(key, "missing");
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(key, $"expected an array of strings, found {Describe(value.ValueKind)}");
        }

        var strings = new List<string>();
        foreach (JsonElement element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
            {
                throw Error(key, $"element {strings.Count} is not a non-blank string: {Clip(element.GetRawText())}");
            }

            strings.Add(element.GetString()!);
        }

        return strings.Count > 0 ? strings : throw Error(key, "is empty");
    }

    /// <summary>An optional array of whole numbers; absent or null reads as <see langword="null"/>.</summary>
    /// <param name="key">The JSON key.</param>
    /// <returns>The numbers, or <see langword="null"/>.</returns>
    public IReadOnlyList<int>? OptionalIntArray(string key)
    {
        if (!_root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(key, $"expected an array of whole numbers, found {Describe(value.ValueKind)}");
        }

        var numbers = new List<int>();
        foreach (JsonElement element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int number))
            {
                throw Error(key, $"element {numbers.Count} is not a whole number: {Clip(element.GetRawText())}");
            }

            numbers.Add(number);
        }

        return numbers;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => kind.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    // Keeps error messages short when a line holds a huge value.
    private static string Clip(string raw) => raw.Length <= 40 ? raw : raw[..40] + "...";
}
