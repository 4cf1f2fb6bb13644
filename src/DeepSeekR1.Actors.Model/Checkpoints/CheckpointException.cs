namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// A checkpoint on disk is missing, damaged or not in a form this code can read. The message always names the
/// file (or directory) at fault and what is wrong with it, because the usual reader is a person looking at a log.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> with the reason <paramref name="problem"/>.</summary>
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file or directory the problem was found in.</summary>
    public string Path { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Problem { get; }
}
