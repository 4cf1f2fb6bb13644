using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepSeekR1.Actors.Cli;

/// <summary>
/// How the CLI writes JSON that people read (summary lines, metrics.jsonl, model info, bench results): characters
/// such as <c>&lt;</c>, <c>+</c> and <c>'</c> as themselves rather than <c>\u003C</c> (nothing here is embedded in
/// HTML), and enums by name.
/// </summary>
public static class HumanJson
{
    /// <summary>One line per value.</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false, snakeCase: false);

    /// <summary>Indented, with snake_case property names (<c>model info</c>).</summary>
    public static JsonSerializerOptions IndentedSnakeCase { get; } = Create(indented: true, snakeCase: true);

    private static JsonSerializerOptions Create(bool indented, bool snakeCase)
    {
        var options = new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = indented,
            PropertyNamingPolicy = snakeCase ? JsonNamingPolicy.SnakeCaseLower : null,
        };
        options.Converters.Add(new JsonStringEnumConverter(snakeCase ? JsonNamingPolicy.SnakeCaseLower : null));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
