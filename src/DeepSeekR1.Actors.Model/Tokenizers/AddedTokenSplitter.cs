using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// Finds added tokens (special tokens, chat markers, reasoning tags) in raw text before any
/// normalization or pre-tokenization, the way Hugging Face does, so "&lt;think&gt;" is always one id
/// and never reaches BPE as the five characters it is made of.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Regex? _pattern;
    private readonly IReadOnlyDictionary<string, int> _ids;

    /// <summary>Creates a splitter for the given token texts and ids.</summary>
    public AddedTokenSplitter(IReadOnlyDictionary<string, int> tokens)
    {
        _ids = tokens;
        if (tokens.Count > 0)
        {
            // Longest first: when "<|im_start|>" and "<|im" were both added, the longer one wins.
            IEnumerable<string> alternatives = tokens.Keys
                .OrderByDescending(t => t.Length)
                .ThenBy(t => t, StringComparer.Ordinal)
                .Select(Regex.Escape);
            _pattern = new Regex(string.Join("|", alternatives), RegexOptions.CultureInvariant);
        }
    }

    /// <summary>Yields the text as ordinary segments (id null) and added tokens (with their id), in order.</summary>
    public IEnumerable<(string Text, int? AddedId)> Split(string text)
    {
        int position = 0;
        if (_pattern is not null)
        {
            foreach (Match match in _pattern.Matches(text))
            {
                if (match.Index > position)
                {
                    yield return (text[position..match.Index], null);
                }
                yield return (match.Value, _ids[match.Value]);
                position = match.Index + match.Length;
            }
        }
        if (position < text.Length)
        {
            yield return (text[position..], null);
        }
    }
}
