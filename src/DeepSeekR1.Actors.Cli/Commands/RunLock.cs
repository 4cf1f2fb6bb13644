using System.Globalization;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// One <c>r1 train</c> per run folder: an exclusive lock on <c>RUN_DIR/train.lock</c>, held while the command runs.
/// Two processes on one run would both journal its steps (the second logs UNIQUE-constraint errors and hangs, or
/// reports a run it never trained) and overwrite each other's pbm token. The lock is the kernel's (flock, through
/// <see cref="FileShare.None"/>), so a process that dies, even by SIGKILL, releases it; the holder's pid, host and
/// start time are written beside it for the message the second process prints.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream stream;

    private RunLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock of <paramref name="runDirectory"/>, or throws a <see cref="ConfigException"/> naming the holder.</summary>
    public static RunLock Take(string runDirectory, string runId)
    {
        Directory.CreateDirectory(runDirectory);
        string path = new RunLayout(runDirectory).LockFile;
        string holder = Path.Combine(runDirectory, "train.lock.holder");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(holder, string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC"));
            return new RunLock(stream);
        }
        catch (IOException)
        {
            string who = File.Exists(holder) ? File.ReadAllText(holder).Trim() : "another process";
            throw new ConfigException($"run '{runId}' is already being trained by {who} ({path}); stop that one first, or give another --run-id");
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => stream.Dispose();
}
