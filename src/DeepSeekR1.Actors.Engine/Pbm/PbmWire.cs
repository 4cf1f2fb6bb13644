using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>How pbm lines are written and read: one JSON object per line, UTF-8, camelCase, nulls left out.</summary>
public static class PbmWire
{
    /// <summary>The protocol version this build speaks.</summary>
    public const int Version = 1;

    /// <summary>The longest line either side accepts; a longer one is a protocol error, not a reason to buffer without end.</summary>
    public const int MaxLineChars = 1 << 20;

    /// <summary>The serializer options of every pbm line.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>UTF-8 without a byte-order mark (a BOM would corrupt the first line).</summary>
    public static Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="value"/> as one line and flushes it.</summary>
    public static async Task WriteAsync<T>(TextWriter writer, T value, CancellationToken cancellation = default)
    {
        await writer.WriteAsync((JsonSerializer.Serialize(value, Json) + "\n").AsMemory(), cancellation);
        await writer.FlushAsync(cancellation);
    }

    /// <summary>Reads one line as <typeparamref name="T"/>; null at the end of the stream.</summary>
    /// <exception cref="PbmException">The line is too long or not the expected JSON.</exception>
    public static async Task<T?> ReadAsync<T>(PbmLineReader reader, CancellationToken cancellation = default) where T : class
    {
        string? line = await reader.ReadLineAsync(cancellation);
        if (line is null) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(line, Json) ?? throw new PbmException($"expected a {typeof(T).Name}, got null");
        }
        catch (JsonException e)
        {
            throw new PbmException($"not a valid {typeof(T).Name} line: {e.Message}");
        }
    }
}

/// <summary>A pbm request that cannot be served as asked; the message is meant for the user.</summary>
/// <param name="message">What went wrong and, where possible, what to type instead.</param>
public sealed class PbmException(string message) : Exception(message);
