using System.Text;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// The lines of a text file, decoded as UTF-8 strictly and one line at a time. A <see cref="StreamReader"/> would
/// replace a bad byte with U+FFFD without a word, and even a throwing decoder fails on a buffered block, not on a
/// line; splitting the bytes on <c>\n</c> first lets the error name the exact line and byte.
/// </summary>
public static class StrictUtf8Lines
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Yields (one-based line number, text) for each line of <paramref name="path"/>; a trailing <c>\r</c> is dropped, a leading BOM skipped.</summary>
    /// <exception cref="DatasetFormatException">A line that is not valid UTF-8, naming the file, line and byte column.</exception>
    public static IEnumerable<(int Number, string Text)> Read(string path)
    {
        if (Directory.Exists(path)) throw new DatasetFormatException(path, 0, null, "is a folder, not a data file");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var line = new MemoryStream();
        int number = 0;
        bool first = true;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b != '\n')
            {
                line.WriteByte((byte)b);
                continue;
            }
            yield return (++number, Decode(path, number, line, first));
            first = false;
            line.SetLength(0);
        }
        if (line.Length > 0) yield return (++number, Decode(path, number, line, first));
    }

    private static string Decode(string path, int number, MemoryStream line, bool first)
    {
        var bytes = new ReadOnlySpan<byte>(line.GetBuffer(), 0, (int)line.Length);
        if (first && bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[3..];
        if (!bytes.IsEmpty && bytes[^1] == '\r') bytes = bytes[..^1];
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException error)
        {
            string where = error.Index >= 0 ? $" at byte {error.Index + 1} of the line" : "";
            // The decoder's own message (a code page, an index) adds nothing to the line and byte named here.
            throw new DatasetFormatException(path, number, null, $"not valid UTF-8{where}");
        }
    }
}
