using System.Diagnostics;
using System.Globalization;

namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>
/// Runs Python inside a bubblewrap sandbox (docs/sandbox.md has the threat model). The command line, outside in:
/// <c>setpriv</c> to an unprivileged uid when r1 is root (root is exempt from RLIMIT_NPROC); <c>bwrap --unshare-all</c>
/// (new user, PID, network, IPC, UTS and cgroup namespaces: no network at all) with only <c>/usr</c> bound read-only,
/// an empty tmpfs at /tmp, a fresh /proc and a minimal /dev, dying with its parent; <c>prlimit</c> on CPU seconds,
/// address space, processes, open files and file size; then <c>/usr/bin/python3 -I</c>. The wall-clock deadline is
/// kept here: past it the bwrap process is killed, which kills the sandbox's PID 1 and with it every process in the
/// namespace. Output is read up to a cap and the run is killed when it writes more.
/// </summary>
public sealed class Sandbox
{
    private const string Prlimit = "/usr/bin/prlimit";
    private const string Setpriv = "/usr/bin/setpriv";
    private const string ProbeOk = "r1-sandbox-ok";

    // Checks, from inside, what the sandbox must give: no /etc, no network, and a process limit the kernel enforces (it
    // would not be for a process that is root outside: the kernel exempts uid 0 from RLIMIT_NPROC).
    private const string ProbeScript = """
        import os, socket, sys, time
        assert not os.path.exists("/etc/shadow"), "/etc is visible"
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=1)
            raise AssertionError("the network is reachable")
        except OSError:
            pass
        children = []
        try:
            for _ in range(int(sys.argv[1])):
                pid = os.fork()
                if pid == 0:
                    time.sleep(10)
                    os._exit(0)
                children.append(pid)
            raise AssertionError("the process limit is not enforced")
        except BlockingIOError:
            pass
        finally:
            for pid in children:
                os.kill(pid, 9)
        print("r1-sandbox-ok")
        """;

    private Sandbox(SandboxLimits limits) => Limits = limits;

    /// <summary>The limits every run gets.</summary>
    public SandboxLimits Limits { get; }

    /// <summary>
    /// A sandbox with <paramref name="limits"/>, after checking that one really runs here (the binaries exist, a probe
    /// program starts inside and finds no network, no /etc, and that it cannot fork past the process limit).
    /// </summary>
    /// <exception cref="SandboxUnavailableException">It does not; the message says why and how to fix it.</exception>
    public static Sandbox Start(SandboxLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        const string never = "the code reward never runs model output outside the sandbox (docs/sandbox.md)";
        if (!OperatingSystem.IsLinux())
            throw new SandboxUnavailableException($"the code sandbox needs Linux (bubblewrap and user namespaces); {never}");
        if (!File.Exists(limits.Bwrap))
            throw new SandboxUnavailableException($"bubblewrap is not installed at {limits.Bwrap} (Debian: apt-get install bubblewrap; or set r1.rewards.code.bwrap); {never}");
        foreach (var (path, package) in new[] { (limits.Python, "python3"), (Prlimit, "util-linux"), (Setpriv, "util-linux") })
            if (!File.Exists(path) && (path != Setpriv || Environment.IsPrivilegedProcess))
                throw new SandboxUnavailableException($"{path} is missing (Debian package {package}); {never}");
        var sandbox = new Sandbox(limits with { WallClock = TimeSpan.FromSeconds(Math.Max(10, limits.WallClock.TotalSeconds)) });
        var probe = sandbox.Run(["-c", ProbeScript, limits.Processes.ToString(CultureInfo.InvariantCulture)], []);
        if (probe.End != SandboxEnd.Exited || probe.ExitCode != 0 || !probe.Output.Contains(ProbeOk, StringComparison.Ordinal))
            throw new SandboxUnavailableException(
                $"bubblewrap does not work here ({probe.Describe(sandbox.Limits)}: {Tail(probe.Output)}); unprivileged user namespaces may be off " +
                $"(sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, a container's seccomp profile); {never}");
        return new Sandbox(limits);
    }

    /// <summary>
    /// Runs <c>python3 -I ARGUMENTS</c> in the sandbox with <paramref name="input"/> on its stdin, until it exits, the
    /// deadline passes or it writes more than the output cap. Blocks the calling thread; never throws on what the
    /// program does.
    /// </summary>
    /// <param name="pythonArguments">What follows <c>python3 -I</c> (<c>-c SCRIPT ARG...</c>).</param>
    /// <param name="input">Bytes written to its stdin, which is then closed.</param>
    public SandboxRun Run(IReadOnlyList<string> pythonArguments, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(pythonArguments);
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = StartInfo(pythonArguments) };
        process.Start();
        var output = new CappedOutput(Limits.OutputBytes);
        var pumps = new[] { output.PumpAsync(process.StandardOutput.BaseStream), output.PumpAsync(process.StandardError.BaseStream) };
        _ = WriteInputAsync(process.StandardInput.BaseStream, input);

        var exited = process.WaitForExitAsync();
        int first = Task.WaitAny([exited, output.OverLimit], Limits.WallClock);
        var end = first switch
        {
            0 => SandboxEnd.Exited,
            1 => SandboxEnd.OutputOverLimit,
            _ => SandboxEnd.TimedOut,
        };
        if (end != SandboxEnd.Exited)
        {
            // bwrap is the process started here (setpriv execs it). Killing it kills the sandbox's PID 1 through
            // --die-with-parent, and the kernel then kills every process left in that PID namespace (a fork bomb's too).
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
        }
        process.WaitForExit();
        // The pipes close once the namespace is gone; the wait is bounded all the same.
        Task.WaitAll(pumps, TimeSpan.FromSeconds(5));
        return new SandboxRun(end, end == SandboxEnd.Exited ? process.ExitCode : -1, output.Text(), clock.Elapsed);
    }

    private ProcessStartInfo StartInfo(IReadOnlyList<string> pythonArguments)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        var args = info.ArgumentList;
        if (Environment.IsPrivilegedProcess)
        {
            // Root outside would be root for RLIMIT_NPROC (the kernel exempts uid 0), so drop to an unprivileged uid first.
            info.FileName = Setpriv;
            string id = Limits.Uid.ToString(CultureInfo.InvariantCulture);
            foreach (var a in new[] { $"--reuid={id}", $"--regid={id}", "--clear-groups", "--inh-caps=-all", "--no-new-privs", "--", Limits.Bwrap })
                args.Add(a);
        }
        else
        {
            info.FileName = Limits.Bwrap;
        }
        foreach (var a in BwrapArguments()) args.Add(a);
        args.Add("--");
        args.Add(Prlimit);
        foreach (var a in PrlimitArguments()) args.Add(a);
        args.Add("--");
        args.Add(Limits.Python);
        args.Add("-I");
        foreach (var a in pythonArguments) args.Add(a);
        // Nothing of r1's environment goes in.
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["LC_ALL"] = "C.UTF-8";
        return info;
    }

    private IEnumerable<string> BwrapArguments() =>
    [
        "--unshare-all", "--die-with-parent", "--new-session",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
        "--proc", "/proc", "--dev", "/dev",
        "--size", Limits.TmpBytes.ToString(CultureInfo.InvariantCulture), "--tmpfs", "/tmp",
        "--chdir", "/tmp",
    ];

    // The CPU limit's hard value is a second above its soft one, so a program is told by SIGXCPU (a reason that names
    // the limit) before SIGKILL; with both equal the kernel may send SIGKILL first.
    private IEnumerable<string> PrlimitArguments() =>
    [
        Invariant($"--cpu={Limits.CpuSeconds}:{Limits.CpuSeconds + 1}"), Invariant($"--as={Limits.AddressSpaceBytes}"), Invariant($"--nproc={Limits.Processes}"),
        Invariant($"--nofile={Limits.OpenFiles}"), Invariant($"--fsize={Limits.FileSizeBytes}"), "--core=0",
    ];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task WriteInputAsync(Stream stdin, byte[] input)
    {
        try
        {
            await stdin.WriteAsync(input).ConfigureAwait(false);
            await stdin.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException) { } // the program ended (or was killed) before reading it all
        catch (ObjectDisposedException) { }
        finally
        {
            try { stdin.Dispose(); } catch (IOException) { }
        }
    }

    private static string Tail(string output)
    {
        string trimmed = output.Trim();
        return trimmed.Length == 0 ? "no output" : trimmed.Length <= 300 ? trimmed : "..." + trimmed[^300..];
    }
}
