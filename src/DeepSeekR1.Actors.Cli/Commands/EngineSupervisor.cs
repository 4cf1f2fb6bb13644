using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 train</c> outliving its own engine: the command starts the engine as a child process (the same command line,
/// marked as the child) and, when the child dies abnormally (a signal such as SIGSEGV or SIGKILL, or a non-zero exit
/// that is not an error the command reported), starts it again, and the run resumes from its journal. Up to
/// <c>r1.train.max-restarts</c> times, waiting <c>r1.train.restart-backoff-seconds</c> before the first and twice as
/// long before each further one. The restarted engine journals <c>RunRestarted</c> with the cause, so the restart shows
/// in <c>pbm run status</c> and in the replay report.
/// </summary>
/// <remarks>
/// Why a process and not a try/catch: the failures this is for (a crash in libtorch, an out-of-memory kill, a GPU
/// driver fault) take the whole process with them. The parent holds no model and no journal; it only forwards the
/// child's output, remembers the last step the child printed, and passes SIGINT/SIGTERM on (a signal the user sent is
/// a stop, never a reason to restart).
/// </remarks>
public static partial class EngineSupervisor
{
    /// <summary>Set to 1 in the child's environment: run the engine in this process, do not supervise.</summary>
    public const string ChildVariable = "R1_ENGINE_CHILD";
    /// <summary>In a restarted child: <c>attempt/max</c>.</summary>
    public const string RestartVariable = "R1_ENGINE_RESTART";
    /// <summary>In a restarted child: how the previous engine died.</summary>
    public const string CauseVariable = "R1_ENGINE_RESTART_CAUSE";
    /// <summary>In the child: the supervisor's process id (the child ends itself when that process is gone).</summary>
    public const string ParentVariable = "R1_ENGINE_SUPERVISOR_PID";

    // Exit codes of the command that mean "the input is wrong", which a restart would only repeat (Program.cs):
    // 1 a command-line error, 2 a configuration error, 3 not supported, 5 the run failed for good (journaled).
    private static readonly HashSet<int> Reported = [1, 2, 3, RunFailedExitCode];

    /// <summary>Exit code of <c>r1 train</c> when the run failed for good (<c>RunFailed</c> is journaled).</summary>
    public const int RunFailedExitCode = 5;

    /// <summary>True in an engine child started by a supervisor.</summary>
    public static bool IsChild => Environment.GetEnvironmentVariable(ChildVariable) == "1";

    /// <summary>The restart this child is, from its environment; null in a first start or outside a supervisor.</summary>
    public static EngineRestart? RestartFromEnvironment()
    {
        if (!IsChild || Environment.GetEnvironmentVariable(RestartVariable) is not { } value) return null;
        var parts = value.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int attempt)
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int max))
            return null;
        return new EngineRestart(attempt, max, Environment.GetEnvironmentVariable(CauseVariable) ?? "unknown");
    }

    /// <summary>
    /// In a child: ask the kernel to send SIGTERM when the supervisor dies, so that killing <c>r1 train</c> (even with
    /// SIGKILL) never leaves an engine running on its own. Linux only; elsewhere nothing.
    /// </summary>
    public static void BindToSupervisor()
    {
        if (!IsChild || !OperatingSystem.IsLinux()) return;
        try
        {
            _ = Prctl(PrSetPdeathsig, Sigterm, 0, 0, 0);
            // The supervisor may have died before the call: then the child was re-parented already.
            if (int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), CultureInfo.InvariantCulture, out int parent) && Getppid() != parent)
                Environment.Exit(143);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    /// <summary>
    /// Runs <paramref name="args"/> (the command line of this <c>r1 train</c>, with the run id fixed so that every
    /// restart resumes the same run) as a child until it ends normally or the restarts are spent. Returns the exit
    /// code for this process.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, int maxRestarts, double backoffSeconds, TextWriter output)
    {
        long lastStep = 0;   // the last step any child printed (1-based), 0 before the first
        int restart = 0;
        string? cause = null;
        Process? child = null;
        bool signalled = false;
        void OnSignal(PosixSignalContext signal)
        {
            // A stop from the user (Ctrl+C reaches the child too; a SIGTERM sent to this process alone is passed on).
            signal.Cancel = true;
            signalled = true;
            if (child is { HasExited: false } running) _ = Kill(running.Id, signal.Signal == PosixSignal.SIGINT ? Sigint : Sigterm);
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        while (true)
        {
            using (child = Start(args, restart, maxRestarts, cause))
            {
                string? line;
                while ((line = child.StandardOutput.ReadLine()) is not null)
                {
                    lock (output)
                    {
                        output.WriteLine(line);
                        output.Flush();
                    }
                    var match = StepLine().Match(line);
                    if (match.Success) lastStep = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                }
                child.WaitForExit();
                int code = child.ExitCode;
                if (code == 0 || signalled || Reported.Contains(code)) return code;

                cause = $"{Describe(code)} at step {lastStep + 1}";
                if (restart >= maxRestarts)
                {
                    Say(output, $"r1 train: engine died ({Describe(code)}) at step {lastStep + 1}; not restarting it again after {restart} restart(s) (r1.train.max-restarts = {maxRestarts}); the same command resumes the run from its journal");
                    return code;
                }
                restart++;
                Say(output, $"r1 train: engine died ({Describe(code)}) at step {lastStep + 1}; resuming from the journal (restart {restart} of {maxRestarts})");
            }
            var pause = TimeSpan.FromSeconds(backoffSeconds * Math.Pow(2, restart - 1));
            Thread.Sleep(pause);
            if (signalled) return 130;
        }
    }

    /// <summary>How a child's exit code reads: a signal's name for 128 + N, else the code.</summary>
    public static string Describe(int exitCode) => exitCode > 128 && exitCode < 128 + 65
        ? SignalName(exitCode - 128)
        : $"exit code {exitCode}";

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 3 => "SIGQUIT", 4 => "SIGILL", 5 => "SIGTRAP", 6 => "SIGABRT", 7 => "SIGBUS",
        8 => "SIGFPE", 9 => "SIGKILL", 10 => "SIGUSR1", 11 => "SIGSEGV", 12 => "SIGUSR2", 13 => "SIGPIPE",
        14 => "SIGALRM", 15 => "SIGTERM",
        _ => $"signal {signal}",
    };

    private static Process Start(IReadOnlyList<string> args, int restart, int maxRestarts, string? cause)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program runs this one");
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true };
        // `dotnet r1.dll ...` runs the entry assembly through the dotnet host; an app host runs it directly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(typeof(EngineSupervisor).Assembly.Location);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment[ChildVariable] = "1";
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (restart > 0)
        {
            start.Environment[RestartVariable] = $"{restart}/{maxRestarts}";
            start.Environment[CauseVariable] = cause ?? "unknown";
        }
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start the engine ({host})");
    }

    private static void Say(TextWriter output, string line)
    {
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    // The progress line TrainCommand prints for every step: "step   12/200 | reward ...".
    [GeneratedRegex(@"^step\s+(\d+)/\d+\s")]
    private static partial Regex StepLine();

    private const int PrSetPdeathsig = 1;
    private const int Sigint = 2;
    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int Getppid();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
