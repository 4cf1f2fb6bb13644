using System.Globalization;
using System.Text;

namespace DeepSeekR1.Actors.Cli.Configuration;

/// <summary>
/// Writes a configuration as HOCON that <c>--config</c> reads back to the same values: one <c>key = value</c> line per
/// setting, fully qualified, sorted, with <c>\n</c> line endings (Akka's own <c>ToString</c> writes CRLF, placeholders
/// and nesting that the loader refuses).
/// </summary>
public static class ConfigRenderer
{
    /// <summary>Every setting under <paramref name="prefixes"/> (all when empty) as HOCON lines.</summary>
    public static string Render(R1Config config, params string[] prefixes)
    {
        var lines = new List<string>();
        if (config.Root.Root is { } root && root.IsObject()) Collect(root.GetObject(), [], lines, prefixes);
        lines.Sort(StringComparer.Ordinal);
        return string.Concat(lines.Select(l => l + "\n"));
    }

    // Walks the tree keeping each key's segments, so that a segment with dots in it (Akka's serialization bindings are
    // keyed by type names) is quoted rather than split.
    private static void Collect(Akka.Configuration.Hocon.HoconObject node, List<string> path, List<string> lines, string[] prefixes)
    {
        foreach (var (name, value) in node.Items)
        {
            var segments = new List<string>(path) { name };
            if (value.IsObject() && value.GetObject().Items.Count > 0)
            {
                Collect(value.GetObject(), segments, lines, prefixes);
                continue;
            }
            string dotted = string.Join('.', segments);
            if (prefixes.Length > 0 && !prefixes.Any(p => dotted == p || dotted.StartsWith(p + ".", StringComparison.Ordinal))) continue;
            lines.Add($"{string.Join('.', segments.Select(Segment))} = {Value(value)}");
        }
    }

    private static string Segment(string segment) =>
        segment.Length > 0 && segment.All(c => char.IsLetterOrDigit(c) || c is '-' or '_') ? segment : Quote(segment);

    private static string Value(Akka.Configuration.Hocon.HoconValue value)
    {
        if (value.IsObject()) return "{}";
        if (value.IsArray()) return "[" + string.Join(", ", value.GetArray().Select(v => Scalar(v.GetString()))) + "]";
        // An empty list reads as no string at all.
        return value.GetString() is { } text ? Scalar(text) : "[]";
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    private static string Scalar(string? text)
    {
        if (text is null) return "null";
        bool bare = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || text is "true" or "false" or "on" or "off";
        return bare ? text : Quote(text);
    }
}
