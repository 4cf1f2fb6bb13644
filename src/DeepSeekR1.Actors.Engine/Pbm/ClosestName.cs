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

    /// <summary>The Levenshtein distance (insertions, deletions and substitutions) between two strings.</summary>
    public static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
