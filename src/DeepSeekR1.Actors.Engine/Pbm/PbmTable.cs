using System.Text.Json.Nodes;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>Builds a command's answer: a table with named columns, and an optional note.</summary>
/// <param name="columns">The column names.</param>
internal sealed class PbmTable(params string[] columns)
{
    private readonly List<IReadOnlyList<JsonNode?>> rows = [];

    /// <summary>Adds a row, one value per column (strings, numbers, booleans or null).</summary>
    public PbmTable Add(params object?[] values)
    {
        if (values.Length != columns.Length)
            throw new ArgumentException($"a row of {values.Length} values for {columns.Length} columns");
        rows.Add(values.Select(Node).ToArray());
        return this;
    }

    /// <summary>The table as a frame, with <paramref name="note"/> under it.</summary>
    public PbmFrame ToFrame(string? note = null, bool streaming = false) =>
        new(PbmFrameKinds.Table, note, Columns: columns, Rows: rows.ToArray(), Streaming: streaming ? true : null);

    /// <summary>One more row of a streaming table.</summary>
    public static PbmFrame Row(params object?[] values) => new(PbmFrameKinds.Rows, Rows: [values.Select(Node).ToArray()]);

    private static JsonNode? Node(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        // NaN and infinities are not JSON numbers: they travel as text.
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };
}
