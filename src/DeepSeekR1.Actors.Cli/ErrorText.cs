using System.Text.Json;
using DeepSeekR1.Actors.Model.Checkpoints;

namespace DeepSeekR1.Actors.Cli;

/// <summary>
/// How the command line reports an error it did not expect to handle itself: one line, the message of the exception
/// and of those inside it (which usually carry the file, line or key), the stack trace only with <c>--verbose</c>.
/// </summary>
public static class ErrorText
{
    /// <summary>Exit code of a fault that is not the input's (an I/O error, a bug): 1.</summary>
    public const int FaultExitCode = 1;

    /// <summary>
    /// Whether <paramref name="e"/> says the input was wrong (a data file, a checkpoint, an argument) rather than that
    /// something failed: those exit 2, as configuration errors do.
    /// </summary>
    public static bool IsBadInput(Exception e) => e is InvalidDataException or FormatException or JsonException
        or CheckpointException or Rl.Data.DatasetFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
        || (e is AggregateException { InnerExceptions.Count: 1 } a && IsBadInput(a.InnerExceptions[0]));

    /// <summary>The message of <paramref name="e"/> and its inner exceptions, each once; the stack trace when verbose.</summary>
    public static string Describe(Exception e, bool verbose)
    {
        if (verbose) return e.ToString();
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            // libtorch appends its C++ backtrace to the message: its first line is the message.
            string message = DeepSeekR1.Actors.Configuration.ConfigException.WithoutParameterName(FirstLine(x.Message));
            if (message.Length > 0 && !parts.Any(p => p.Contains(message, StringComparison.Ordinal))) parts.Add(message);
        }
        return string.Join(": ", parts) + " (--verbose shows where)";
    }

    private static string FirstLine(string message)
    {
        string trimmed = message.Trim();
        int newline = trimmed.IndexOf('\n');
        return newline < 0 ? trimmed : trimmed[..newline].TrimEnd();
    }
}
