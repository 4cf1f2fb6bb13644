namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>"Did you mean ...?": the known name closest to a mistyped one, by edit distance.</summary>
public static class ClosestName
{
    /// <summary>
    /// The name in <paramref name="known"/> closest to <paramref name="typed"/>, or null when none is close enough to be
    /// a likely typo (more than a third of the typed name would have to change), or when a prefix match is unambiguous.
    /// </summary>
    public static string? Find(string typed, IEnumerable<string> known)
    {
        var names = known.ToArray();
        var prefixed = names.Where(n => typed.Length > 0 && n.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (prefixed.Length == 1) return prefixed[0];
        var best = names.Select(n => (Name: n, Distance: Distance(typed.ToLowerInvariant(), n.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(1, (typed.Length + 2) / 3) ? best.Name : null;
    }

    /// <summary>" (did you mean 'NAME'?)" with the closest known name and <paramref name="prefix"/> (such as "--"), or "" when none is close.</summary>
    public static string Hint(string typed, IEnumerable<string> known, string prefix = "") =>
        Find(typed, known) is { } closest ? $" (did you mean '{prefix}{closest}'?)" : "";

    /// <summary>
    /// The edit distance between two strings counting insertions, deletions, substitutions and swaps of two adjacent
    /// characters (the commonest typo, "stauts") as one edit each (optimal string alignment).
    /// </summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
