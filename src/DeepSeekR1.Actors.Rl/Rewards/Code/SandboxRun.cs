namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>How a sandboxed run ended.</summary>
public enum SandboxEnd
{
    /// <summary>The process exited by itself (see <see cref="SandboxRun.ExitCode"/>).</summary>
    Exited,

    /// <summary>The wall-clock deadline passed; the sandbox was killed.</summary>
    TimedOut,

    /// <summary>It wrote more than the output cap; the sandbox was killed.</summary>
    OutputOverLimit,
}

/// <summary>The outcome of one sandboxed run: how it ended, its exit code and what it printed (capped).</summary>
/// <param name="End">How it ended.</param>
/// <param name="ExitCode">bubblewrap's exit code (the program's, or 128 + a signal's number); -1 when killed from here.</param>
/// <param name="Output">Stdout then stderr as text, at most the output cap.</param>
/// <param name="Elapsed">Wall-clock time from start to exit.</param>
public sealed record SandboxRun(SandboxEnd End, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>A few words on how it ended, for a reward's reason.</summary>
    public string Describe(SandboxLimits limits) => End switch
    {
        SandboxEnd.TimedOut => $"timeout (over the {limits.WallClock.TotalSeconds:0.###} s deadline)",
        SandboxEnd.OutputOverLimit => $"output over the {limits.OutputBytes / 1024} KiB limit",
        _ when ExitCode > 128 && ExitCode < 128 + 65 => $"killed by signal {ExitCode - 128}{SignalName(ExitCode - 128)}",
        _ => $"exit code {ExitCode}",
    };

    private static string SignalName(int signal) => signal switch
    {
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        24 => " (SIGXCPU: over the CPU-seconds limit)",
        25 => " (SIGXFSZ: over the file-size limit)",
        6 => " (SIGABRT)",
        _ => "",
    };
}
