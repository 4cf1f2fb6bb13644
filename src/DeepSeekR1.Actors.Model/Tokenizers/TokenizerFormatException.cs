namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// A tokenizer file could not be used: it is malformed, lacks a key, or asks for a feature this
/// loader does not implement. The message names the file and the JSON key at fault.
/// </summary>
public sealed class TokenizerFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> and the offending <paramref name="key"/>.</summary>
    /// <param name="source">The file (or stream name) being read.</param>
    /// <param name="key">Dotted JSON path of the missing or bad key, e.g. <c>model.merges[3]</c>.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public TokenizerFormatException(string source, string key, string problem, Exception? inner = null)
        : base($"Tokenizer file '{source}': key '{key}' {problem}", inner)
    {
        Source = source;
        Key = key;
    }

    /// <summary>The file (or stream name) that was being read.</summary>
    public new string Source { get; }

    /// <summary>Dotted JSON path of the key at fault.</summary>
    public string Key { get; }
}
