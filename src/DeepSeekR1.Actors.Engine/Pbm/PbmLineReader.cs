using System.Text;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>
/// Reads newline-terminated lines from a stream, refusing any longer than <see cref="PbmWire.MaxLineChars"/> while it
/// reads (a <see cref="StreamReader"/> would buffer an endless line whole before anyone could check it).
/// </summary>
/// <param name="stream">The connection.</param>
public sealed class PbmLineReader(Stream stream)
{
    private readonly StreamReader reader = new(stream, PbmWire.Encoding, detectEncodingFromByteOrderMarks: false);
    private readonly char[] buffer = new char[4096];
    private int position;
    private int length;

    /// <summary>The next line without its terminator (a trailing '\r' is dropped too); null at the end of the stream.</summary>
    /// <exception cref="PbmException">The line is longer than <see cref="PbmWire.MaxLineChars"/>.</exception>
    public async Task<string?> ReadLineAsync(CancellationToken cancellation = default)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (position == length)
            {
                length = await reader.ReadAsync(buffer.AsMemory(), cancellation);
                position = 0;
                if (length == 0) return line.Length > 0 ? line.ToString() : null;
            }
            int newline = Array.IndexOf(buffer, '\n', position, length - position);
            int end = newline < 0 ? length : newline;
            line.Append(buffer, position, end - position);
            position = newline < 0 ? length : newline + 1;
            if (line.Length > PbmWire.MaxLineChars)
                throw new PbmException($"a line longer than the {PbmWire.MaxLineChars} characters allowed");
            if (newline >= 0) return line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
        }
    }
}
