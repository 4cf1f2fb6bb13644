using System.Diagnostics;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>The real <c>r1</c> binary (built through the test project's reference to the CLI) run as a child process.</summary>
internal sealed class R1Process : IDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly SemaphoreSlim lineArrived = new(0);

    private R1Process(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything the process printed so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (lines) return lines.ToArray(); }
    }

    public static R1Process Start(string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(R1Dll());
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return new R1Process(Process.Start(info) ?? throw new InvalidOperationException("could not start r1"));
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; false when the process exits or time runs out first.</summary>
    public async Task<bool> WaitForLine(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.Any(l => l.Contains(text, StringComparison.Ordinal))) return true;
            if (process.HasExited && !await lineArrived.WaitAsync(100)) return Lines.Any(l => l.Contains(text, StringComparison.Ordinal));
            await lineArrived.WaitAsync(200);
        }
        return false;
    }

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>The ids of the processes this one started (Linux: from /proc); empty when it has none.</summary>
    public IReadOnlyList<int> ChildIds()
    {
        string children = $"/proc/{process.Id}/task/{process.Id}/children";
        if (!File.Exists(children)) return [];
        return File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash.</summary>
    public void Kill9()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        process.WaitForExit();   // drains the asynchronous output readers
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) Kill9();
        process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null) return;
        lock (lines) lines.Add(line);
        lineArrived.Release();
    }

    // The CLI's own output folder, built in the test's configuration through the project reference.
    private static string R1Dll()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;   // bin/<Configuration>/net10.0/
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string dll = Path.Combine(dir.FullName, "src", "DeepSeekR1.Actors.Cli", "bin", configuration, "net10.0", "r1.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException($"r1.dll ({configuration}) not found above {AppContext.BaseDirectory}");
    }
}
