using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DeepSeekR1.Actors.Cli.Pipeline;

/// <summary>
/// One r1 command run as a child process of the pipeline: its own process, so that each stage has its own tensor
/// thread, its own engine supervisor (an RL stage's <c>r1 train</c> restarts its engine after a native crash as it
/// does when run by hand) and its own memory, returned to the system when it ends. Its output goes to the console
/// and to the stage's log file; its last JSON line is its summary.
/// </summary>
internal static class StageProcess
{
    /// <summary>The exit code, every line printed (stdout and stderr, as they came) and the last JSON object on stdout.</summary>
    public sealed record Result(int ExitCode, IReadOnlyList<string> Lines, JsonObject? Summary)
    {
        /// <summary>The last lines, for a failure's message.</summary>
        public string Tail(int lines = 6) => string.Join(" | ", Lines.Where(l => l.Trim().Length > 0).TakeLast(lines).Select(l => l.Trim()));
    }

    /// <summary>
    /// Runs <c>r1 <paramref name="args"/></c>, echoing its output (indented) to <paramref name="console"/> and appending it
    /// to <paramref name="logFile"/>; <paramref name="onLine"/>, when given, sees each line as it comes (a benchmark
    /// times them).
    /// </summary>
    public static Result Run(IReadOnlyList<string> args, TextWriter console, string logFile, Action<string>? onLine = null)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program runs this one");
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // `dotnet r1.dll ...` runs the entry assembly through the dotnet host; an app host runs it directly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(StageProcess).Assembly.Location);
        foreach (string a in args) start.ArgumentList.Add(a);
        // A stage is a command of its own, never a supervised engine child (r1 train supervises its own engine).
        start.Environment.Remove(Commands.EngineSupervisor.ChildVariable);

        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var lines = new List<string>();
        JsonObject? summary = null;
        using var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        log.WriteLine($"$ r1 {string.Join(' ', args)}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start r1 ({host})");
        void Take(string? line, bool fromStdout)
        {
            if (line is null) return;
            lock (lines)
            {
                lines.Add(line);
                onLine?.Invoke(line);
                log.WriteLine(line);
                console.WriteLine("  " + line);
                console.Flush();
                if (fromStdout && line.StartsWith('{'))
                {
                    try { summary = JsonNode.Parse(line) as JsonObject ?? summary; }
                    catch (System.Text.Json.JsonException) { }
                }
            }
        }
        process.OutputDataReceived += (_, e) => Take(e.Data, fromStdout: true);
        process.ErrorDataReceived += (_, e) => Take(e.Data, fromStdout: false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return new Result(process.ExitCode, lines, summary);
    }
}
