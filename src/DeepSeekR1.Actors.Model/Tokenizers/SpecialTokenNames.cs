using System.Text.Json;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// Which tokens play end-of-sequence, beginning-of-sequence and padding. Hugging Face keeps these
/// in tokenizer_config.json rather than tokenizer.json.
/// </summary>
/// <param name="Eos">Text of the end-of-sequence token, or null to guess from well-known names.</param>
/// <param name="Bos">Text of the beginning-of-sequence token, or null when the model has none.</param>
/// <param name="Pad">Text of the padding token, or null to pad with EOS.</param>
public sealed record SpecialTokenNames(string? Eos, string? Bos, string? Pad)
{
    /// <summary>No names given: EOS is guessed, there is no BOS, padding uses EOS.</summary>
    public static SpecialTokenNames None { get; } = new(null, null, null);

    /// <summary>Reads <c>eos_token</c>, <c>bos_token</c> and <c>pad_token</c> from a tokenizer_config.json.</summary>
    /// <remarks>Each may be a string, an object with a <c>content</c> string (older files), or null.</remarks>
    public static SpecialTokenNames FromConfigFile(string path)
    {
        var source = new JsonSource(path);
        using JsonDocument document = source.Parse(File.ReadAllText(path));
        JsonElement root = document.RootElement;
        return new SpecialTokenNames(Read(root, "eos_token", source), Read(root, "bos_token", source), Read(root, "pad_token", source));
    }

    private static string? Read(JsonElement root, string key, JsonSource source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw source.Error("(document)", "must be a JSON object");
        }
        if (!root.TryGetProperty(key, out JsonElement value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => source.RequiredString(value, "content", key),
            _ => throw source.Error(key, "must be a string, an object with 'content', or null"),
        };
    }
}
