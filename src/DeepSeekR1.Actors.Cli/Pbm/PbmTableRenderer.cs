using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>
/// Renders a command's answer. For people: an aligned table, or one "name: value" line per column when the table has a
/// single wide row (a status), then the host's note. For scripts (<c>--json</c>): one JSON object with the rows as
/// objects keyed by column, and each streamed row as a JSON line of its own.
/// </summary>
public static class PbmTableRenderer
{
    private const int VerticalAbove = 6;   // a single row with more columns than this (a status) reads better vertically

    /// <summary>The answer as text for a person.</summary>
    public static string Text(PbmFrame frame)
    {
        var text = new StringBuilder();
        var columns = frame.Columns ?? [];
        var rows = (frame.Rows ?? []).Select(r => r.Select(Cell).ToArray()).ToArray();
        if (columns.Count > 0 && rows.Length == 1 && columns.Count > VerticalAbove && frame.Streaming != true)
        {
            int width = columns.Max(c => c.Length);
            for (int i = 0; i < columns.Count; i++) text.Append(columns[i].PadRight(width)).Append("  ").Append(rows[0][i]).Append('\n');
        }
        else if (columns.Count > 0)
        {
            var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
            text.Append(Line(columns, widths)).Append('\n');
            text.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
            foreach (var row in rows) text.Append(Line(row, widths)).Append('\n');
            if (rows.Length == 0 && frame.Streaming != true) text.Append("(none)\n");
        }
        if (!string.IsNullOrEmpty(frame.Message)) text.Append(frame.Message).Append('\n');
        return text.ToString();
    }

    /// <summary>A streamed row as text, aligned under the header of the table that opened the stream.</summary>
    public static string StreamedRow(PbmFrame header, IReadOnlyList<JsonNode?> row)
    {
        var columns = header.Columns ?? [];
        var cells = row.Select(Cell).ToArray();
        return Line(cells, columns.Select((c, i) => Math.Max(c.Length, cells.ElementAtOrDefault(i)?.Length ?? 0)).ToArray()) + "\n";
    }

    /// <summary>The answer as one JSON object: <c>{"columns": [...], "rows": [{column: value}], "message": "..."}</c>.</summary>
    public static string Json(PbmFrame frame)
    {
        var columns = frame.Columns ?? [];
        var result = new JsonObject
        {
            ["columns"] = new JsonArray(columns.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["rows"] = new JsonArray((frame.Rows ?? []).Select(r => (JsonNode?)RowObject(columns, r)).ToArray()),
        };
        if (frame.Message is not null) result["message"] = frame.Message;
        return result.ToJsonString(Options) + "\n";
    }

    /// <summary>A streamed row as one JSON line.</summary>
    public static string JsonRow(PbmFrame header, IReadOnlyList<JsonNode?> row) => RowObject(header.Columns ?? [], row).ToJsonString(Options) + "\n";

    /// <summary>An error as one JSON line.</summary>
    public static string JsonError(string message) => new JsonObject { ["error"] = message }.ToJsonString(Options) + "\n";

    // Plain characters stay plain (a path, a quote, a backquote): the output is read by people and scripts, never embedded in HTML.
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonObject RowObject(IReadOnlyList<string> columns, IReadOnlyList<JsonNode?> row)
    {
        var o = new JsonObject();
        for (int i = 0; i < columns.Count; i++) o[columns[i]] = row.ElementAtOrDefault(i)?.DeepClone();
        return o;
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();

    /// <summary>One value as a person reads it: "-" for none, yes/no, numbers to four decimals (or four significant digits when tiny or huge).</summary>
    public static string Cell(JsonNode? node)
    {
        if (node is not JsonValue value) return node?.ToJsonString() ?? "-";
        if (value.TryGetValue<bool>(out bool b)) return b ? "yes" : "no";
        if (value.GetValueKind() == JsonValueKind.Number)
        {
            string raw = value.ToJsonString();
            if (raw.IndexOfAny(['.', 'e', 'E']) < 0) return raw;   // a whole number (a count, a step) as it is
            double d = value.GetValue<double>();
            return d != 0 && (Math.Abs(d) >= 1e6 || Math.Abs(d) < 1e-3)
                ? d.ToString("G4", CultureInfo.InvariantCulture)
                : d.ToString("0.0###", CultureInfo.InvariantCulture);
        }
        return value.ToString() is { Length: > 0 } text ? text : "-";
    }
}
