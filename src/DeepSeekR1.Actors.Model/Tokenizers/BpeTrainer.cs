namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>What a BPE training run learned.</summary>
/// <param name="Tokens">Every token in id order: the 256 byte tokens first, then each new merged token.</param>
/// <param name="Merges">The merges in rank order (earlier merges are applied first when encoding).</param>
public sealed record BpeTrainingResult(IReadOnlyList<string> Tokens, IReadOnlyList<(string Left, string Right)> Merges);

/// <summary>
/// Learns a byte-level BPE vocabulary: start from the 256 byte tokens, then repeatedly merge the
/// pair of adjacent tokens that occurs most often in the corpus, until the vocabulary is full or
/// no pair occurs often enough. Tokens are written in <see cref="ByteLevelAlphabet"/> form, the
/// form tokenizer.json files use.
/// </summary>
/// <remarks>
/// Pairs are counted inside pre-tokenized pieces only, so no token ever spans a piece boundary
/// (a digit never fuses with its neighbour, a word never swallows the following punctuation).
/// Ties are broken by the ordinal order of (left, right), so the same corpus always yields the
/// same merges whatever the hash seeds or dictionary iteration order of the run.
/// </remarks>
/// <param name="minPairFrequency">A pair seen fewer times than this is never merged (a merge used once teaches nothing).</param>
public sealed class BpeTrainer(int minPairFrequency = 2)
{
    /// <summary>Trains on pre-tokenized pieces and how often each occurs.</summary>
    /// <param name="pieceCounts">Text pieces (as the pre-tokenizer produced them) and their counts.</param>
    /// <param name="maxTokens">Upper bound on the number of tokens, byte tokens included (at least 256).</param>
    public BpeTrainingResult Train(IReadOnlyDictionary<string, int> pieceCounts, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 256);

        // Symbols are ints for speed; `tokens` maps them back to text.
        var tokens = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.ToChar((byte)b).ToString()).ToList();
        var known = tokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        List<(List<int> Symbols, int Count)> words = pieceCounts
            .Where(kv => kv.Value > 0)
            .Select(kv => (System.Text.Encoding.UTF8.GetBytes(kv.Key).Select(b => (int)b).ToList(), kv.Value))
            .ToList();

        var merges = new List<(string, string)>();
        while (tokens.Count < maxTokens)
        {
            (int left, int right, int count) = BestPair(words, tokens);
            if (count < minPairFrequency)
            {
                break;
            }

            string merged = tokens[left] + tokens[right];
            if (!known.TryGetValue(merged, out int mergedId))
            {
                // Two different pairs can spell the same token ("a"+"bc", "ab"+"c"): one id for both.
                mergedId = tokens.Count;
                tokens.Add(merged);
                known[merged] = mergedId;
            }
            merges.Add((tokens[left], tokens[right]));
            foreach ((List<int> symbols, _) in words)
            {
                ApplyMerge(symbols, left, right, mergedId);
            }
        }
        return new BpeTrainingResult(tokens, merges);
    }

    private static (int Left, int Right, int Count) BestPair(List<(List<int> Symbols, int Count)> words, List<string> tokens)
    {
        var counts = new Dictionary<(int, int), int>();
        foreach ((List<int> symbols, int count) in words)
        {
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                var pair = (symbols[i], symbols[i + 1]);
                counts[pair] = counts.GetValueOrDefault(pair) + count;
            }
        }

        (int Left, int Right, int Count) best = (-1, -1, 0);
        foreach (((int left, int right), int count) in counts)
        {
            bool better = count > best.Count
                || (count == best.Count && ComparePair(tokens, left, right, best.Left, best.Right) < 0);
            if (better)
            {
                best = (left, right, count);
            }
        }
        return best;
    }

    private static int ComparePair(List<string> tokens, int left, int right, int otherLeft, int otherRight)
    {
        int byLeft = string.CompareOrdinal(tokens[left], tokens[otherLeft]);
        return byLeft != 0 ? byLeft : string.CompareOrdinal(tokens[right], tokens[otherRight]);
    }

    // Left to right, non-overlapping: "aaa" with pair (a,a) becomes "Xa", as BPE encoding does it.
    private static void ApplyMerge(List<int> symbols, int left, int right, int merged)
    {
        int write = 0;
        for (int read = 0; read < symbols.Count; read++)
        {
            if (read + 1 < symbols.Count && symbols[read] == left && symbols[read + 1] == right)
            {
                symbols[write++] = merged;
                read++;
            }
            else
            {
                symbols[write++] = symbols[read];
            }
        }
        symbols.RemoveRange(write, symbols.Count - write);
    }
}
