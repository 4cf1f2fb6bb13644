using Microsoft.ML.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// OpenAI's tiktoken encodings (<c>cl100k_base</c>, <c>o200k_base</c>) as a policy tokenizer. The
/// vocabularies ship in the Microsoft.ML.Tokenizers.Data.* packages, so nothing is downloaded.
/// </summary>
/// <remarks>
/// These encodings define only <c>&lt;|endoftext|&gt;</c> for sequence ends and no padding or BOS
/// token, so EOS doubles as padding and <see cref="BosId"/> is null.
/// </remarks>
public sealed class TiktokenPolicyTokenizer : IPolicyTokenizer
{
    private const string EndOfText = "<|endoftext|>";

    private readonly TiktokenTokenizer _tiktoken;
    private readonly HashSet<int> _specialIds;

    private TiktokenPolicyTokenizer(string encoding, TiktokenTokenizer tiktoken)
    {
        Name = encoding;
        _tiktoken = tiktoken;
        IReadOnlyDictionary<string, int> specials = tiktoken.SpecialTokens ?? new Dictionary<string, int>();
        _specialIds = [.. specials.Values];
        EosId = specials.TryGetValue(EndOfText, out int eos)
            ? eos
            : throw new InvalidOperationException($"Encoding '{encoding}' has no {EndOfText} token.");
        // Both encodings number their special tokens after every merged token (the byte table is
        // internal to Microsoft.ML.Tokenizers), so the largest special id bounds the vocabulary.
        VocabSize = _specialIds.Max() + 1;
    }

    /// <summary>Loads a tiktoken encoding by name: <c>cl100k_base</c> or <c>o200k_base</c>.</summary>
    public static TiktokenPolicyTokenizer ForEncoding(string encoding)
    {
        if (encoding is not ("cl100k_base" or "o200k_base"))
        {
            throw new ArgumentException($"Unknown tiktoken encoding '{encoding}'; expected cl100k_base or o200k_base.", nameof(encoding));
        }
        return new TiktokenPolicyTokenizer(encoding, TiktokenTokenizer.CreateForEncoding(encoding));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public int EosId { get; }

    /// <inheritdoc />
    public int PadId => EosId;

    /// <inheritdoc />
    public int? BosId => null;

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text) => _tiktoken.EncodeToIds(text);

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) =>
        _tiktoken.Decode(skipSpecialTokens ? ids.Where(id => !_specialIds.Contains(id)) : ids);

    /// <inheritdoc />
    public int? TokenToId(string token)
    {
        if (_tiktoken.SpecialTokens?.TryGetValue(token, out int special) is true)
        {
            return special;
        }
        // The byte table is internal to Microsoft.ML.Tokenizers: a text is one token exactly when it
        // encodes to one id that decodes back to the same text (tiktoken takes a piece found whole
        // in its table before trying any merge).
        IReadOnlyList<int> ids = _tiktoken.EncodeToIds(token);
        return ids.Count == 1 && _tiktoken.Decode(ids) == token ? ids[0] : null;
    }
}
