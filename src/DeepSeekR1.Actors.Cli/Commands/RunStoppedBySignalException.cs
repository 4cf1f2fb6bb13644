using System.Runtime.InteropServices;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// The user stopped <c>r1 train</c> (Ctrl+C, SIGTERM) and the engine shut down cleanly: nothing is lost, and
/// <see cref="ResumeCommand"/> carries on from the last applied step. Exits 130 (SIGINT) or 143 (SIGTERM).
/// </summary>
public sealed class RunStoppedBySignalException(PosixSignal signal, string runId, string resumeCommand)
    : Exception($"stopped by {(signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM")}; every applied step of run {runId} is in the journal")
{
    /// <summary>The signal that stopped the run.</summary>
    public PosixSignal Signal { get; } = signal;

    /// <summary>The command that resumes the run (this one, with its run id).</summary>
    public string ResumeCommand { get; } = resumeCommand;

    /// <summary>128 + the signal's number, as a shell reports a process the signal ended.</summary>
    public int ExitCode => Signal == PosixSignal.SIGINT ? 130 : 143;
}
