using System.Text;
using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Matrices and column vectors. <see cref="LatexNormalizer"/> rewrites every <c>pmatrix</c>, <c>bmatrix</c>,
/// <c>Bmatrix</c>, <c>matrix</c>, <c>smallmatrix</c> and <c>array</c> environment as <c>\matrix{a &amp; b \cr c &amp; d}</c>
/// (the brackets are presentation: a <c>pmatrix</c> and a <c>bmatrix</c> with the same entries are the same matrix);
/// <see cref="TryParse"/> then reads that form, with or without brackets around it, as a <see cref="MatrixAnswer"/>.
/// <c>vmatrix</c> is a determinant, a number, and is left alone.
/// </summary>
internal static partial class MatrixAnswers
{
    private const string Command = "\\matrix{";

    /// <summary>Rewrites the matrix environments in <paramref name="text"/> (raw LaTeX) into the <c>\matrix{...}</c> form.</summary>
    public static string Rewrite(string text)
    {
        if (!text.Contains("\\begin", StringComparison.Ordinal))
            return text;
        var builder = new StringBuilder(text.Length);
        var at = 0;
        while (Begin().Match(text, at) is { Success: true } begin)
        {
            var end = text.IndexOf($"\\end{{{begin.Groups["env"].Value}}}", begin.Index + begin.Length, StringComparison.Ordinal);
            if (end < 0)
                break;   // unclosed: left for the parser to reject
            var body = text[(begin.Index + begin.Length)..end];
            // TeX's row break \\ would meet the normaliser's spacing rules (\ followed by a space); \cr is TeX's other name for it.
            body = body.Replace("\\\\", " \\cr ", StringComparison.Ordinal).Replace("\\hline", " ", StringComparison.Ordinal);
            builder.Append(text, at, begin.Index - at).Append(Command).Append(body).Append('}');
            at = end + begin.Groups["env"].Length + 6;
        }
        return builder.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>The matrix that <paramref name="text"/> (normalised) is, or null when it is not one <c>\matrix{...}</c>.</summary>
    public static MatrixAnswer? TryParse(string text)
    {
        text = text.Trim();
        // \left(\begin{array}{c}1\\2\end{array}\right): the brackets written around an array are the matrix's own.
        if (text.Length > 2 && (text[0], text[^1]) is ('(', ')') or ('[', ']'))
        {
            var inner = text[1..^1].Trim();
            if (inner.StartsWith(Command, StringComparison.Ordinal))
                text = inner;
        }
        if (!text.StartsWith(Command, StringComparison.Ordinal) || Closing(text, Command.Length - 1) != text.Length - 1)
            return null;

        var rows = RowBreak().Split(text[Command.Length..^1]).ToList();
        if (rows.Count > 1 && rows[^1].Trim().Length == 0)
            rows.RemoveAt(rows.Count - 1);   // a trailing \\ ends the last row
        var cells = rows.Select(row => row.Split('&')).ToList();
        var columns = cells[0].Length;
        if (cells.Any(row => row.Length != columns))
            throw new AnswerRejectedException("matrix rows of different lengths");
        if (cells.SelectMany(row => row).Any(cell => cell.Trim().Length == 0))
            throw new AnswerRejectedException("a matrix with an empty entry");
        var entries = cells.SelectMany(row => row).Select(cell => MathParser.Parse(cell.Trim())).ToList();
        return new MatrixAnswer(rows.Count, columns, entries);
    }

    private static int Closing(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{')
                depth++;
            else if (text[i] == '}' && --depth == 0)
                return i;
        }
        return -1;
    }

    // \begin{pmatrix}, and \begin{array}{cc} with its column specification.
    [GeneratedRegex(@"\\begin\s*\{(?<env>pmatrix|bmatrix|Bmatrix|matrix|smallmatrix|array)\}(?:(?<=array\})\s*\{[lcr|\s]*\})?", RegexOptions.CultureInvariant)]
    private static partial Regex Begin();

    [GeneratedRegex(@"\\cr(?![A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex RowBreak();
}
