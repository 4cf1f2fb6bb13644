namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// The tokenizer a policy model speaks: text to token ids and back, plus the ids the sampler and
/// the trainer need (end of sequence, padding, beginning of sequence).
/// </summary>
/// <remarks>
/// Implementations wrap a <c>Microsoft.ML.Tokenizers</c> tokenizer. <see cref="Encode"/> never adds
/// BOS or EOS on its own: prompt templates write them as text where a model expects them, so the
/// same string always gives the same ids.
/// </remarks>
public interface IPolicyTokenizer
{
    /// <summary>A short human-readable name ("builtin", "cl100k_base", a file path...).</summary>
    string Name { get; }

    /// <summary>Number of rows the embedding table needs: the largest id plus one.</summary>
    int VocabSize { get; }

    /// <summary>Id that ends a generated sequence.</summary>
    int EosId { get; }

    /// <summary>Id used to pad sequences of a batch to the same length (may equal <see cref="EosId"/>).</summary>
    int PadId { get; }

    /// <summary>Id that starts a sequence, or <c>null</c> when the model uses none.</summary>
    int? BosId { get; }

    /// <summary>
    /// Encodes <paramref name="text"/>. Special and added tokens written in the text
    /// (for example <c>&lt;|endoftext|&gt;</c> or <c>&lt;think&gt;</c>) become their single ids.
    /// </summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Decodes ids back to text.</summary>
    /// <param name="ids">Token ids produced by this tokenizer.</param>
    /// <param name="skipSpecialTokens">
    /// When true, special tokens (BOS, EOS, padding, chat markers) are left out of the text.
    /// Added tokens that are ordinary vocabulary, such as the reasoning tags, are always kept.
    /// </param>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>
    /// The id of <paramref name="token"/> when that exact text is a single token of the vocabulary
    /// (a special token, an added token, or a plain token given as its decoded text such as " the"),
    /// otherwise <c>null</c>.
    /// </summary>
    int? TokenToId(string token);
}
