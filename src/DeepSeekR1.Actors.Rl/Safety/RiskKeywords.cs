using System.Globalization;

namespace DeepSeekR1.Actors.Rl.Safety;

/// <summary>
/// The first stage of DeepSeek-R1's risk control: each user turn is matched against a keyword list, and only a turn
/// that matches is sent on to the (costly) risk review. Matching ignores case and requires the keyword to stand as
/// whole words ("hack" matches "hack into" and "Hack", not "shackle"); a keyword may be several words.
/// </summary>
public sealed class RiskKeywords
{
    private readonly string[] _keywords;

    /// <summary>A matcher for <paramref name="keywords"/> (blank entries are ignored, duplicates kept once).</summary>
    public RiskKeywords(IEnumerable<string> keywords)
    {
        _keywords = keywords.Select(k => k.Trim().ToLowerInvariant()).Where(k => k.Length > 0).Distinct().ToArray();
    }

    /// <summary>The keywords, lower case.</summary>
    public IReadOnlyList<string> Keywords => _keywords;

    /// <summary>
    /// Reads a keyword file: one keyword per line, <c>#</c> starts a comment line, blank lines are skipped.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IEnumerable<string> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: risk-control keyword file not found", path);
        return File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
    }

    /// <summary>The keywords that occur in <paramref name="text"/> as whole words, in list order (empty: no hit).</summary>
    public IReadOnlyList<string> Match(string text)
    {
        string lower = text.ToLowerInvariant();
        var hits = new List<string>();
        foreach (var keyword in _keywords)
            for (int at = lower.IndexOf(keyword, StringComparison.Ordinal); at >= 0; at = lower.IndexOf(keyword, at + 1, StringComparison.Ordinal))
                if (IsBoundary(lower, at - 1) && IsBoundary(lower, at + keyword.Length))
                {
                    hits.Add(keyword);
                    break;
                }
        return hits;
    }

    // A keyword edge is a boundary unless a letter or digit continues the word there.
    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !char.IsLetterOrDigit(text, index) || CharUnicodeInfo.GetUnicodeCategory(text[index]) == UnicodeCategory.OtherLetter;
}
