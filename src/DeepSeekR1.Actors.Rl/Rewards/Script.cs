namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>The writing systems the language-consistency reward tells apart.</summary>
public enum Script
{
    /// <summary>Not a letter of a counted script (digits, punctuation, math symbols, other scripts).</summary>
    None,

    /// <summary>Latin letters (English, French, German, ...).</summary>
    Latin,

    /// <summary>Chinese characters, Japanese kana and Korean Hangul.</summary>
    Cjk,

    /// <summary>Cyrillic letters (Russian, Ukrainian, ...).</summary>
    Cyrillic,
}

/// <summary>Maps characters and language codes to <see cref="Script"/>s.</summary>
public static class Scripts
{
    /// <summary>The script of one character.</summary>
    /// <param name="c">The character.</param>
    public static Script Of(char c) => c switch
    {
        >= 'A' and <= 'Z' or >= 'a' and <= 'z' => Script.Latin,
        >= '\u00C0' and <= '\u024F' when char.IsLetter(c) => Script.Latin, // accented Latin letters
        >= '\u0400' and <= '\u04FF' => Script.Cyrillic,
        >= '\u3040' and <= '\u30FF' => Script.Cjk,   // hiragana, katakana
        >= '\u3400' and <= '\u4DBF' => Script.Cjk,   // CJK extension A
        >= '\u4E00' and <= '\u9FFF' => Script.Cjk,   // CJK unified ideographs
        >= '\uAC00' and <= '\uD7AF' => Script.Cjk,   // Hangul syllables
        >= '\uF900' and <= '\uFAFF' => Script.Cjk,   // CJK compatibility ideographs
        _ => Script.None,
    };

    /// <summary>
    /// The script a language is written in, from its BCP-47-ish code (<c>en</c>, <c>zh-CN</c>, <c>ja</c>, <c>ru</c>);
    /// unknown codes count as Latin, the script of most languages a prompt set is likely to hold.
    /// </summary>
    /// <param name="language">The language code.</param>
    public static Script ForLanguage(string? language)
    {
        var primary = (language ?? "").Split('-', '_')[0].Trim().ToLowerInvariant();
        return primary switch
        {
            "zh" or "ja" or "ko" or "yue" or "cmn" => Script.Cjk,
            "ru" or "uk" or "bg" or "sr" or "be" or "mk" or "kk" => Script.Cyrillic,
            _ => Script.Latin,
        };
    }
}
