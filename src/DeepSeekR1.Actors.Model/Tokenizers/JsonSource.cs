using System.Text.Json;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// Typed access to the keys of one JSON tokenizer file. Every failure becomes a
/// <see cref="TokenizerFormatException"/> that names the file and the full key path, because
/// "KeyNotFoundException" on a 10 MB tokenizer.json tells nobody what to fix.
/// </summary>
internal sealed class JsonSource(string name)
{
    /// <summary>The file (or stream) name used in error messages.</summary>
    public string Name { get; } = name;

    /// <summary>Parses <paramref name="json"/>, reporting syntax errors against the file.</summary>
    public JsonDocument Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw Error("(document)", $"is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The child <paramref name="key"/> of <paramref name="parent"/>; it must exist and have the given kind.</summary>
    public JsonElement Required(JsonElement parent, string key, string path, JsonValueKind kind)
    {
        JsonElement? value = Optional(parent, key, path, kind);
        return value ?? throw Error(Join(path, key), "is missing");
    }

    /// <summary>The child <paramref name="key"/>, or <c>null</c> when it is absent or JSON null; a wrong kind is an error.</summary>
    public JsonElement? Optional(JsonElement parent, string key, string path, JsonValueKind kind)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"must be an object but is {Describe(parent.ValueKind)}");
        }
        if (!parent.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        bool kindMatches = value.ValueKind == kind
            || (kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False);
        if (!kindMatches)
        {
            throw Error(Join(path, key), $"must be {Describe(kind)} but is {Describe(value.ValueKind)}");
        }
        return value;
    }

    /// <summary>A required string child.</summary>
    public string RequiredString(JsonElement parent, string key, string path) =>
        Required(parent, key, path, JsonValueKind.String).GetString()!;

    /// <summary>An optional boolean child with a default for absent or null.</summary>
    public bool OptionalBool(JsonElement parent, string key, string path, bool fallback) =>
        Optional(parent, key, path, JsonValueKind.True)?.GetBoolean() ?? fallback;

    /// <summary>A required integer child that must fit an <see cref="int"/>.</summary>
    public int RequiredInt(JsonElement parent, string key, string path)
    {
        JsonElement value = Required(parent, key, path, JsonValueKind.Number);
        return value.TryGetInt32(out int result)
            ? result
            : throw Error(Join(path, key), $"must be a 32-bit integer but is {value.GetRawText()}");
    }

    /// <summary>An error about <paramref name="path"/> in this file.</summary>
    public TokenizerFormatException Error(string path, string problem, Exception? inner = null) =>
        new(Name, path, problem, inner);

    /// <summary>Appends a key to a dotted path.</summary>
    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
