using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// A pre-tokenizer pattern matched over code points, as the Hugging Face <c>tokenizers</c> library matches it, rather
/// than over UTF-16 units as .NET's <see cref="Regex"/> does. .NET sees a character outside the Basic Multilingual
/// Plane (math italic <c>𝑥</c>, bold digits <c>𝟏</c>, CJK Extension B, emoji) as two surrogates of category Cs, so
/// <c>\p{L}</c> and <c>\p{N}</c> never match it and <c>" 𝟏"</c> stays one piece where the library splits the space off.
/// </summary>
/// <remarks>
/// The fix keeps .NET's engine and changes what it reads: each surrogate pair is replaced by one BMP character of the
/// same Unicode general category (a "proxy"), the pattern runs on that text, and every match is mapped back to the
/// original indices. Patterns test characters by category (<c>\p{L}</c>, <c>\s</c>, <c>[^\r\n\p{L}\p{N}]</c>) and by
/// ASCII literals, and a proxy answers every category test as its code point would; proxies are non-ASCII and never
/// case-fold to ASCII, so a literal such as <c>(?i:'s)</c> cannot match one. A pattern that itself holds characters
/// outside the BMP (a literal emoji) is matched on the UTF-16 text unchanged, where its literal matches exactly.
/// </remarks>
internal sealed class CodePointRegex
{
    private static readonly Dictionary<UnicodeCategory, char> Proxies = FindProxies();

    private readonly Regex regex;
    private readonly bool overCodePoints;

    /// <summary>Wraps <paramref name="regex"/>.</summary>
    public CodePointRegex(Regex regex)
    {
        this.regex = regex;
        overCodePoints = !regex.ToString().Any(char.IsSurrogate);
    }

    /// <summary>The non-empty matches in <paramref name="text"/>, left to right, as (index, length) in its UTF-16 units.</summary>
    public IEnumerable<(int Index, int Length)> Matches(string text)
    {
        if (!overCodePoints || !text.Any(char.IsSurrogate))
        {
            foreach (Match m in regex.Matches(text))
                if (m.Length > 0) yield return (m.Index, m.Length);
            yield break;
        }
        var (proxy, starts) = Proxy(text);
        foreach (Match m in regex.Matches(proxy))
            if (m.Length > 0) yield return (starts[m.Index], starts[m.Index + m.Length] - starts[m.Index]);
    }

    /// <summary>The matched substrings of <paramref name="text"/>, left to right.</summary>
    public IEnumerable<string> MatchedText(string text) => Matches(text).Select(m => text.Substring(m.Index, m.Length));

    // The text with each surrogate pair replaced by its category's proxy, and where each proxy character starts in the
    // original (one entry per proxy character, plus the original's length at the end). A lone surrogate (text that is
    // not valid UTF-16) stays as it is, a character of category Cs, as before.
    private static (string Proxy, int[] Starts) Proxy(string text)
    {
        var proxy = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            starts.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                && Proxies.TryGetValue(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1])), out char stand))
            {
                proxy.Append(stand);
                i++;
            }
            else
            {
                proxy.Append(text[i]);
            }
        }
        starts.Add(text.Length);
        return (proxy.ToString(), starts.ToArray());
    }

    // For each general category, the first BMP character above ASCII that has it and whose case mappings stay out of
    // ASCII (so no case-insensitive ASCII literal of a pattern can match it). Found from .NET's own tables, so a proxy
    // has exactly the category the regex engine will test.
    private static Dictionary<UnicodeCategory, char> FindProxies()
    {
        var proxies = new Dictionary<UnicodeCategory, char>();
        for (int c = 0xA0; c <= 0xFFFF; c++)
        {
            char ch = (char)c;
            if (char.IsSurrogate(ch) || char.ToLowerInvariant(ch) < 0x80 || char.ToUpperInvariant(ch) < 0x80) continue;
            proxies.TryAdd(CharUnicodeInfo.GetUnicodeCategory(ch), ch);
        }
        return proxies;
    }
}
