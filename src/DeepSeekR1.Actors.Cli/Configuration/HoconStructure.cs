using DeepSeekR1.Actors.Configuration;
namespace DeepSeekR1.Actors.Cli.Configuration;

/// <summary>
/// A check of HOCON text before the parser sees it: every <c>{</c> and <c>[</c> closed by its own kind, every string
/// terminated. Akka's HOCON parser loops forever, with memory growing by ~180 MB/s, on <c>r1.grpo { steps = [ 3 }</c>,
/// and silently accepts an unclosed <c>{</c>, an unterminated string or a stray bracket; this names the file and line.
/// Comments (<c>#</c>, <c>//</c>), quoted and triple-quoted strings are skipped, as HOCON defines them.
/// </summary>
public static class HoconStructure
{
    /// <summary>Throws a <see cref="ConfigException"/> naming <paramref name="origin"/> and the line of the first problem.</summary>
    public static void Check(string text, string origin)
    {
        var open = new Stack<(char Bracket, int Line)>();
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') { line++; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                int start = line;
                if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
                {
                    int end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) throw Error(origin, start, "a triple-quoted string is never closed");
                    line += Count(text, i, end, '\n');
                    i = end + 2;
                    continue;
                }
                for (i++; ; i++)
                {
                    if (i >= text.Length || text[i] == '\n') throw Error(origin, start, "a quoted string is not closed on its line");
                    if (text[i] == '\\') { i++; continue; }
                    if (text[i] == '"') break;
                }
                continue;
            }
            if (c is '{' or '[') open.Push((c, line));
            else if (c is '}' or ']')
            {
                char expected = c == '}' ? '{' : '[';
                if (open.Count == 0) throw Error(origin, line, $"'{c}' closes nothing");
                var (bracket, at) = open.Pop();
                if (bracket != expected)
                    throw Error(origin, line, $"'{c}' closes the '{bracket}' opened on line {at}");
            }
        }
        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            throw Error(origin, at, $"'{bracket}' is never closed");
        }
    }

    private static int Count(string text, int from, int to, char c)
    {
        int n = 0;
        for (int i = from; i < to; i++)
            if (text[i] == c) n++;
        return n;
    }

    private static ConfigException Error(string origin, int line, string what) =>
        new($"{origin}, line {line}: invalid HOCON: {what}");
}
