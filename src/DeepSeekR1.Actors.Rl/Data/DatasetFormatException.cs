namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// A line of a dataset file that cannot be used. The message starts with <c>FILE:LINE</c> and names the
/// offending key, so the line can be found and fixed without a debugger.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Describes the bad line.</summary>
    /// <param name="file">Path of the dataset file.</param>
    /// <param name="line">One-based line number, or 0 when the file as a whole is at fault.</param>
    /// <param name="key">The JSON key at fault, or <see langword="null"/> when the line as a whole is bad.</param>
    /// <param name="problem">What is wrong, in a few words.</param>
    /// <param name="inner">The parser's own exception, when there is one.</param>
    public DatasetFormatException(string file, int line, string? key, string problem, Exception? inner = null)
        : base((line > 0 ? $"{file}:{line}: " : $"{file}: ") + (key is null ? problem : $"key '{key}': {problem}"), inner)
    {
        File = file;
        Line = line;
        Key = key;
        Problem = problem;
    }

    /// <summary>Path of the dataset file.</summary>
    public string File { get; }

    /// <summary>One-based line number.</summary>
    public int Line { get; }

    /// <summary>The JSON key at fault, or <see langword="null"/> when the line as a whole is bad.</summary>
    public string? Key { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
