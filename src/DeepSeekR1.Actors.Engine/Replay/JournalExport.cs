using System.Text.Json;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>
/// Writes every event of a run as JSON lines, one object per event, for analysis with other tools:
/// <c>{"persistence_id", "sequence_nr", "offset", "timestamp", "manifest", "type", "version", "event"}</c>, where
/// <c>event</c> is the contract as the journal's serializer encodes it (so it decodes back with the manifest), its
/// strings written with only the escapes JSON needs: a completion reads <c>&lt;think&gt;</c>, not <c>\u003Cthink\u003E</c>.
/// </summary>
public static class JournalExport
{
    /// <summary>Writes the run's events to <paramref name="output"/> in journal order; returns how many.</summary>
    /// <param name="reader">The journal.</param>
    /// <param name="runId">The run.</param>
    /// <param name="output">Where the lines go.</param>
    /// <param name="cancellation">Stops the export.</param>
    public static async Task<long> WriteJsonLinesAsync(JournalReader reader, string runId, Stream output, CancellationToken cancellation = default)
    {
        long count = 0;
        byte[] newline = "\n"u8.ToArray();
        await foreach (var e in reader.Current(runId, cancellation))
        {
            await output.WriteAsync(Line(e), cancellation);
            await output.WriteAsync(newline, cancellation);
            count++;
        }
        await output.FlushAsync(cancellation);
        return count;
    }

    private static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON line of one event (without the line break).</summary>
    /// <param name="e">The event.</param>
    public static byte[] Line(JournalEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Relaxed))
        {
            int dot = e.Manifest.LastIndexOf(".v", StringComparison.Ordinal);
            json.WriteStartObject();
            json.WriteString("persistence_id", e.PersistenceId);
            json.WriteNumber("sequence_nr", e.SequenceNr);
            json.WriteNumber("offset", e.Offset);
            if (e.Timestamp is { } at) json.WriteString("timestamp", at);
            else json.WriteNull("timestamp");
            json.WriteString("manifest", e.Manifest);
            json.WriteString("type", dot > 0 ? e.Manifest[..dot] : e.Manifest);
            json.WriteNumber("version", dot > 0 && int.TryParse(e.Manifest[(dot + 2)..], out int v) ? v : 0);
            json.WritePropertyName("event");
            // The codec's bytes are the journal's and stay as they are; only this copy of them is re-escaped for people.
            using (var encoded = JsonDocument.Parse(ContractCodec.Encode(e.Event))) encoded.RootElement.WriteTo(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
