using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// A child <c>r1 node --roles experts</c> on loopback: the second node of <c>r1 bench experts</c>. It hosts every shard
/// of a policy saved to a checkpoint folder (its shape is read there), keeps its journal and snapshots in its data dir, and is
/// killed when disposed.
/// </summary>
internal sealed class ExpertNodeProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly TaskCompletionSource up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ExpertNodeProcess(string runId, string init, string dataDir, int shards, int torchThreads, double weightDecay)
    {
        Port = FreePort();
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Run through `dotnet r1.dll`: the same build as this process.
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        string[] arguments =
        [
            "node", "--roles", "experts", "--run-id", runId, "--port", Port.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDir,
            "--set", "r1.experts.location=nodes", "--set", $"r1.experts.shards={shards}", "--set", $"r1.train.init={init}",
            "--set", $"r1.torch-threads={torchThreads}", "--set", $"r1.grpo.weight-decay={weightDecay.ToString("R", CultureInfo.InvariantCulture)}",
            "--set", "akka.loglevel=WARNING",
        ];
        foreach (var a in arguments) info.ArgumentList.Add(a);
        process = Process.Start(info) ?? throw new InvalidOperationException("could not start the expert node (r1 node)");
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The node's remoting port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Waits until the node says it is up; throws with its output when it exits or time runs out first.</summary>
    public void WaitUntilUp(TimeSpan timeout)
    {
        if (up.Task.Wait(timeout)) return;
        string said;
        lock (lines) said = string.Join('\n', lines.TakeLast(20));
        throw new InvalidOperationException($"the expert node did not come up within {timeout.TotalSeconds:0}s{(process.HasExited ? $" (it exited with {process.ExitCode})" : "")}:\n{said}");
    }

    private void Collect(string? line)
    {
        if (line is null) return;
        lock (lines) lines.Add(line);
        if (line.Contains("r1 node: up at", StringComparison.Ordinal)) up.TrySetResult();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
    }
}
