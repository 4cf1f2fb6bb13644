using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Analysis;

/// <summary>
/// The reflective words the DeepSeek-R1 paper counts over training (wait, mistake, however, but, retry, error, verify,
/// wrong, evaluate, check): their frequency grew several-fold as the model learned to reconsider its reasoning.
/// Words are matched whole and case-insensitively: "Wait," and "WAIT" count, "waiting", "button" and "checked" do not,
/// so the curve measures the words themselves rather than whatever happens to contain them.
/// </summary>
public static partial class ReflectiveWords
{
    /// <summary>The ten words, in the paper's order (the order of every per-word list here).</summary>
    public static IReadOnlyList<string> Words { get; } = ["wait", "mistake", "however", "but", "retry", "error", "verify", "wrong", "evaluate", "check"];

    private static readonly Dictionary<string, int> IndexOf =
        Words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.OrdinalIgnoreCase);

    /// <summary>How often each word occurs in <paramref name="text"/>, one count per entry of <see cref="Words"/>.</summary>
    /// <param name="text">A completion (or any text).</param>
    public static int[] Count(string? text)
    {
        var counts = new int[Words.Count];
        if (string.IsNullOrEmpty(text)) return counts;
        foreach (Match match in WordPattern().Matches(text))
            counts[IndexOf[match.Value]]++;
        return counts;
    }

    /// <summary>Whether <paramref name="text"/> holds a reflection: at least one of the words, matched as <see cref="Count"/> does.</summary>
    /// <param name="text">A completion (or any text).</param>
    public static bool Contains(string? text) => !string.IsNullOrEmpty(text) && WordPattern().IsMatch(text);

    // \b on both sides makes the match whole-word; NonBacktracking keeps a hostile 64 KiB completion linear.
    [GeneratedRegex(@"\b(?:wait|mistake|however|but|retry|error|verify|wrong|evaluate|check)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex WordPattern();
}
