using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>How many words of each script a text holds (math, digits and punctuation excluded).</summary>
/// <param name="Latin">Latin words (runs of two or more Latin letters).</param>
/// <param name="Cjk">CJK characters (each counts as a word: these scripts do not separate words by spaces).</param>
/// <param name="Cyrillic">Cyrillic words (runs of Cyrillic letters).</param>
public readonly record struct ScriptCounts(int Latin, int Cjk, int Cyrillic)
{
    /// <summary>All counted words.</summary>
    public int Total => Latin + Cjk + Cyrillic;

    /// <summary>The count for one script (zero for <see cref="Script.None"/>).</summary>
    /// <param name="script">The script.</param>
    public int this[Script script] => script switch
    {
        Script.Latin => Latin,
        Script.Cjk => Cjk,
        Script.Cyrillic => Cyrillic,
        _ => 0,
    };
}

/// <summary>
/// DeepSeek-R1's language-consistency reward: the share of the chain of thought written in the prompt's
/// language, measured by script. Math is not language, so LaTeX (<c>$...$</c>, <c>\(...\)</c>, <c>\[...\]</c>,
/// <c>\commands</c>), digits, punctuation and single Latin letters (variables such as <c>x</c>) are ignored.
/// </summary>
public static partial class LanguageConsistency
{
    /// <summary>
    /// The share of words in the script of <paramref name="language"/>, in [0, 1]. A chain of thought with no
    /// countable words (only math, or empty) has nothing inconsistent in it and scores 1.
    /// </summary>
    /// <param name="chainOfThought">The reasoning text (usually the content of <c>&lt;think&gt;</c>).</param>
    /// <param name="language">The prompt's language code (<c>en</c>, <c>zh</c>, ...).</param>
    public static RewardResult Score(string? chainOfThought, string? language)
    {
        if (chainOfThought is not null && chainOfThought.Length > RewardLimits.MaxCompletionChars)
            return RewardResult.Fail($"chain of thought too long ({chainOfThought.Length} chars > {RewardLimits.MaxCompletionChars})");
        var target = Scripts.ForLanguage(language);
        var counts = Count(chainOfThought ?? "");
        if (counts.Total == 0)
            return RewardResult.Pass("no words to judge");
        var share = (double)counts[target] / counts.Total;
        return new RewardResult(share, string.Create(CultureInfo.InvariantCulture,
            $"{counts[target]} of {counts.Total} words in {target} ({share:P0}) for language '{language}'"));
    }

    /// <summary>Counts the words of each script in <paramref name="text"/>, ignoring math.</summary>
    /// <param name="text">Any text.</param>
    public static ScriptCounts Count(string text)
    {
        var prose = LatexMath().Replace(text, " ");
        int latin = 0, cjk = 0, cyrillic = 0;
        var i = 0;
        while (i < prose.Length)
        {
            var script = Scripts.Of(prose[i]);
            if (script == Script.Cjk)
            {
                cjk++;
                i++;
                continue;
            }
            if (script == Script.None)
            {
                i++;
                continue;
            }
            var start = i;
            while (i < prose.Length && Scripts.Of(prose[i]) == script)
                i++;
            if (script == Script.Cyrillic)
                cyrillic++;
            else if (i - start >= 2)
                latin++; // a lone Latin letter is a variable (x, n), not a word
        }
        return new ScriptCounts(latin, cjk, cyrillic);
    }

    // Display and inline math, then any remaining \command. NonBacktracking keeps matching linear in the text
    // length, so a 64 KiB chain of thought full of unclosed "$" or "\(" costs no more than reading it.
    [GeneratedRegex(@"\$\$[^$]*\$\$|\$[^$]*\$|\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]|\\[A-Za-z]+", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex LatexMath();
}
