using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// One step of a Hugging Face pre-tokenizer. Steps run in sequence; each one splits every piece the
/// previous step produced, exactly as the <c>Sequence</c> pre-tokenizer of the <c>tokenizers</c>
/// library does, so BPE never merges across the boundaries they draw.
/// </summary>
internal abstract class PreTokenizerStep
{
    /// <summary>Splits one piece into smaller pieces (concatenated, they give the piece back, unless the step removes text).</summary>
    public abstract IEnumerable<string> Split(string piece);
}

/// <summary>What a <see cref="SplitStep"/> does with the text its pattern matches (HF's <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior
{
    /// <summary>Matches become pieces of their own.</summary>
    Isolated,

    /// <summary>Matches are dropped.</summary>
    Removed,

    /// <summary>Each match is glued to the end of the piece before it.</summary>
    MergedWithPrevious,

    /// <summary>Each match is glued to the start of the piece after it.</summary>
    MergedWithNext,

    /// <summary>Consecutive matches become one piece.</summary>
    Contiguous,
}

/// <summary>HF's <c>Split</c>: cut at every match of a pattern, then treat matches by <see cref="SplitBehavior"/>.</summary>
internal sealed class SplitStep(Regex pattern, SplitBehavior behavior, bool invert) : PreTokenizerStep
{
    // Matched over code points, as the tokenizers library matches (CodePointRegex says why it matters).
    private readonly CodePointRegex _pattern = new(pattern);

    /// <inheritdoc />
    public override IEnumerable<string> Split(string piece)
    {
        // Cut the piece into alternating runs of matched and unmatched text; "invert" swaps the roles.
        var runs = new List<(string Text, bool IsDelimiter)>();
        int position = 0;
        foreach (var (index, length) in _pattern.Matches(piece))
        {
            if (index > position)
            {
                runs.Add((piece[position..index], invert));
            }
            runs.Add((piece.Substring(index, length), !invert));
            position = index + length;
        }
        if (position < piece.Length)
        {
            runs.Add((piece[position..], invert));
        }
        return Combine(runs);
    }

    // Mirrors the folds of HF's SplitDelimiterBehavior so pieces come out identical, including the
    // corner case of two adjacent matches (only one of them is glued to its neighbour).
    private List<string> Combine(List<(string Text, bool IsDelimiter)> runs)
    {
        var pieces = new List<string>();
        bool previousWasDelimiter = false;
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                pieces.AddRange(runs.Select(r => r.Text));
                break;
            case SplitBehavior.Removed:
                pieces.AddRange(runs.Where(r => !r.IsDelimiter).Select(r => r.Text));
                break;
            case SplitBehavior.MergedWithPrevious:
                foreach ((string text, bool isDelimiter) in runs)
                {
                    if (isDelimiter && !previousWasDelimiter && pieces.Count > 0)
                    {
                        pieces[^1] += text;
                    }
                    else
                    {
                        pieces.Add(text);
                    }
                    previousWasDelimiter = isDelimiter;
                }
                break;
            case SplitBehavior.MergedWithNext:
                // The same fold as MergedWithPrevious, walking backwards.
                for (int i = runs.Count - 1; i >= 0; i--)
                {
                    (string text, bool isDelimiter) = runs[i];
                    if (isDelimiter && !previousWasDelimiter && pieces.Count > 0)
                    {
                        pieces[^1] = text + pieces[^1];
                    }
                    else
                    {
                        pieces.Add(text);
                    }
                    previousWasDelimiter = isDelimiter;
                }
                pieces.Reverse();
                break;
            case SplitBehavior.Contiguous:
                foreach ((string text, bool isDelimiter) in runs)
                {
                    if (isDelimiter && previousWasDelimiter)
                    {
                        pieces[^1] += text;
                    }
                    else
                    {
                        pieces.Add(text);
                    }
                    previousWasDelimiter = isDelimiter;
                }
                break;
        }
        return pieces;
    }
}

/// <summary>
/// HF's <c>ByteLevel</c> pre-tokenizer. The byte mapping itself happens inside the BPE model; this
/// step only adds the optional leading space and, with <c>use_regex</c>, applies GPT-2's split.
/// </summary>
internal sealed partial class ByteLevelStep(bool addPrefixSpace, bool useRegex) : PreTokenizerStep
{
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Pattern();

    private static readonly CodePointRegex Gpt2 = new(Gpt2Pattern());

    /// <inheritdoc />
    public override IEnumerable<string> Split(string piece)
    {
        if (addPrefixSpace && !piece.StartsWith(' '))
        {
            piece = " " + piece;
        }
        if (!useRegex)
        {
            return [piece];
        }
        return Gpt2.MatchedText(piece);
    }
}

/// <summary>
/// HF's <c>Digits</c>: isolate every numeric character, or every run of them. "Numeric" is Rust's <c>char::is_numeric</c>,
/// the whole Unicode N category (Nd, Nl such as Ⅻ, No such as ½), not only decimal digits; matched over code points.
/// </summary>
internal sealed partial class DigitsStep(bool individualDigits) : PreTokenizerStep
{
    [GeneratedRegex(@"\p{N}")]
    private static partial Regex OneDigit();

    [GeneratedRegex(@"\p{N}+")]
    private static partial Regex DigitRun();

    private readonly SplitStep _split = new(individualDigits ? OneDigit() : DigitRun(), SplitBehavior.Isolated, invert: false);

    /// <inheritdoc />
    public override IEnumerable<string> Split(string piece) => _split.Split(piece);
}
