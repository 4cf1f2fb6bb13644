using System.Diagnostics;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// <c>r1 train</c> supervising its own engine: the engine child process is killed with a signal mid-run, as a crash in
/// native code or an out-of-memory kill would, and the command must resume it from the journal by itself, journal the
/// restart with its cause, and finish with every step applied once.
/// </summary>
public class SupervisorTests
{
    private const int Steps = 6;

    private static string[] Command(string dataDir, string runId) =>
    [
        "train", "--run-id", runId, "--data-dir", dataDir, "--steps", Steps.ToString(),
        "--set", $"r1.train.init={ColdStart.Checkpoint}", "--set", "r1.train.eval-limit=0", "--set", "r1.torch-threads=1",
        "--set", "r1.grpo.prompts-per-step=2", "--set", "r1.grpo.group-size=3", "--set", "r1.sampling.max-new-tokens=12",
        "--set", "r1.engine.markers=on", "--set", "r1.engine.group-resend-interval=1s", "--set", "r1.engine.batch-linger=20ms",
        "--set", "r1.train.restart-backoff-seconds=0.2", "--set", "r1.pbm.enabled=off",
    ];

    // A real crash in native code (r1.engine.segfault-at-step: a write through an unmapped address inside libc), as
    // libtorch's use-after-free was; and SIGKILL from outside, as the out-of-memory killer sends. (A SIGSEGV or SIGABRT
    // sent with kill(1) is no test: .NET's handler may take one that lands in managed code for an exception.)
    [Theory]
    [InlineData("native", "SIGSEGV")]
    [InlineData("KILL", "SIGKILL")]
    public async Task An_engine_that_dies_is_resumed_from_the_journal_and_the_restart_is_journaled(string how, string name)
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        string[] command = how == "native" ? [.. Command(data, "supervised"), "--set", "r1.engine.segfault-at-step=3"] : Command(data, "supervised");
        using var r1 = R1Process.Start(dir.Path, command);
        if (how != "native")
        {
            Assert.True(await r1.WaitForLine("r1-engine: update step=3", TimeSpan.FromSeconds(60)), string.Join('\n', r1.Lines));
            var engine = Assert.Single(r1.ChildIds());
            using var child = Process.GetProcessById(engine);
            child.Kill();   // SIGKILL, the out-of-memory killer's signal
        }

        int exit = await r1.WaitForExit(TimeSpan.FromSeconds(120));
        Assert.True(exit == 0, string.Join('\n', r1.Lines));
        Assert.Contains(r1.Lines, l => l.StartsWith($"r1 train: engine died ({name}) at step ", StringComparison.Ordinal)
                                       && l.EndsWith("resuming from the journal (restart 1 of 3)", StringComparison.Ordinal));
        if (how == "native") Assert.Contains(r1.Lines, l => l == "r1 train: engine died (SIGSEGV) at step 3; resuming from the journal (restart 1 of 3)");
        Assert.Contains(r1.Lines, l => l.Contains($"finished {Steps} steps"));

        var journal = JournalFile.Read(data);
        var applied = journal.Where(r => r.PersistenceId == "learner-supervised").Select(r => r.Event).OfType<StepApplied>();
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), applied.Select(a => a.Step));
        var restart = Assert.Single(journal.Where(r => r.PersistenceId == "run-supervised").Select(r => r.Event).OfType<RunRestarted>());
        Assert.Equal((1, 3), (restart.Restart, restart.MaxRestarts));
        Assert.StartsWith($"{name} at step ", restart.Cause);

        // The replay report counts it, and says no step was applied twice.
        string report = Path.Combine(dir.Path, "replay");
        using (var replay = R1Process.Start(dir.Path, "replay", "--run", "supervised", "--out", report, "--data-dir", data))
            Assert.True(await replay.WaitForExit(TimeSpan.FromSeconds(60)) == 0, string.Join('\n', replay.Lines));
        string text = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("Every step was applied exactly once.", text);
        Assert.Contains($"Engine restarts: 1 (restart 1 of 3 after {name} at step ", text);
    }

    [Fact]
    public async Task When_the_restarts_are_spent_the_command_ends_with_the_engines_status()
    {
        using var dir = new TempDir();
        using var r1 = R1Process.Start(dir.Path, [.. Command(Path.Combine(dir.Path, "data"), "doomed"),
            "--set", "r1.engine.segfault-at-step=2", "--set", "r1.train.max-restarts=0"]);
        // max-restarts = 0: no supervisor, the crash is the command's own.
        Assert.Equal(139, await r1.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain(r1.Lines, l => l.Contains("engine died"));
    }

    [Fact]
    public async Task A_configuration_error_is_reported_once_and_never_restarted()
    {
        using var dir = new TempDir();
        using var r1 = R1Process.Start(dir.Path, [.. Command(Path.Combine(dir.Path, "data"), "bad"), "--set", "r1.grpo.group-size=0"]);
        int exit = await r1.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.Equal(2, exit);
        Assert.DoesNotContain(r1.Lines, l => l.Contains("engine died"));
    }

    [Fact]
    public async Task Ctrl_c_stops_with_130_and_prints_the_command_that_resumes_the_run()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        // No --run-id: the printed command must carry the one the run got.
        string[] command = [.. Command(data, "x").Where((a, i) => a != "--run-id" && (i == 0 || Command(data, "x")[i - 1] != "--run-id"))];
        command = [.. command.Select(a => a == Steps.ToString() ? "40" : a)];
        using (var r1 = R1Process.Start(dir.Path, command))
        {
            Assert.True(await r1.WaitForLine("r1-engine: applied step=2", TimeSpan.FromSeconds(60)), string.Join('\n', r1.Lines));
            // The shell's own kill: a bare Debian image has no /bin/kill (procps).
            using (var kill = Process.Start("/bin/sh", ["-c", $"kill -INT {r1.Id}"])) await kill.WaitForExitAsync();
            Assert.Equal(130, await r1.WaitForExit(TimeSpan.FromSeconds(60)));
            var stopped = Assert.Single(r1.Lines, l => l.StartsWith("r1 train: stopped by SIGINT; every applied step of run ", StringComparison.Ordinal));
            Assert.DoesNotContain(r1.Lines, l => l.Contains("left the cluster"));
            string resume = stopped[(stopped.IndexOf("resume with: ./r1 ", StringComparison.Ordinal) + "resume with: ./r1 ".Length)..];
            command = resume.Split(' ');
        }
        Assert.Contains("--run-id", command);
        using var again = R1Process.Start(dir.Path, command);
        Assert.Equal(0, await again.WaitForExit(TimeSpan.FromSeconds(180)));
        Assert.Contains(again.Lines, l => l.Contains("(resuming)"));
        var applied = JournalFile.Read(data).Select(r => r.Event).OfType<StepApplied>().Select(a => a.Step).ToArray();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), applied.Order());
    }
}
