using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Engine.Tests.Pbm;

/// <summary>
/// The real `r1 train` operated with the real `r1 pbm`: the node prints its endpoint, generates a token file the client
/// finds by itself, and a run paused through pbm is still paused after the process is killed and started again (the
/// train command then says how to resume it), then resumes and stops on command.
/// </summary>
public sealed partial class PbmTrainTests
{
    private const int Steps = 30;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string[] Train(string dataDir) =>
    [
        "train", "--engine", "actor", "--run-id", "held", "--data-dir", dataDir, "--steps", Steps.ToString(),
        "--set", "r1.train.init=random", "--set", "r1.train.eval-limit=0", "--set", "r1.torch-threads=1",
        "--set", "r1.grpo.prompts-per-step=2", "--set", "r1.grpo.group-size=3", "--set", "r1.sampling.max-new-tokens=12",
        "--set", "r1.engine.group-resend-interval=1s", "--set", "r1.engine.batch-linger=20ms",
        // Any free port, and a token the node generates (no variable on the test machine may supply one).
        "--set", "r1.pbm.port=0", "--set", "r1.pbm.token-env=R1_PBM_TOKEN_UNUSED_BY_TESTS",
    ];

    [Fact]
    public async Task A_paused_run_survives_a_kill_and_restart_and_train_says_how_to_resume_it()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        string tokenFile = Path.Combine(data, PbmSettings.TokenFileName);
        long pausedAt;

        using (var first = R1Process.Start(dir.Path, Train(data)))
        {
            string endpoint = await Endpoint(first);
            Assert.True(await first.WaitForLine($"step    1/{Steps}", Patience), string.Join('\n', first.Lines));
            Assert.Contains(first.Lines, l => l.Contains($"token from {Path.GetFullPath(tokenFile)}"));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));

            var paused = await PbmCli.Row(data, endpoint, "run", "pause", "--id", "held");
            Assert.Equal("paused", (string?)paused["state"]);
            // The training console says so (read from the journal, so a pause from any node's pbm shows).
            Assert.True(await first.WaitForLine("r1 train: run held paused after", Patience), string.Join('\n', first.Lines));
            Assert.True(await PbmCli.Eventually(async () => (await PbmCli.Row(data, endpoint, "run", "status"))["step_in_flight"] is null, Patience));
            pausedAt = (long)(await PbmCli.Row(data, endpoint, "run", "status"))["steps_done"]!;
            first.Kill9();
        }

        using (var second = R1Process.Start(dir.Path, Train(data)))
        {
            string endpoint = await Endpoint(second);
            Assert.True(await second.WaitForLine("r1 train: run held is paused", Patience), string.Join('\n', second.Lines));
            Assert.Contains(second.Lines, l => l.Contains($"is paused after {pausedAt} steps") && l.Contains($"./r1 pbm {endpoint} --data-dir {data} run resume --id held"));
            await Task.Delay(1000);
            Assert.Equal(pausedAt, (long)(await PbmCli.Row(data, endpoint, "run", "status"))["steps_done"]!);

            Assert.Equal("running", (string?)(await PbmCli.Row(data, endpoint, "run", "resume"))["state"]);
            Assert.True(await second.WaitForLine($"r1 train: run held resumed after {pausedAt} steps", Patience), string.Join('\n', second.Lines));
            Assert.True(await second.WaitForLine($"step {pausedAt + 1,4}/{Steps}", Patience), string.Join('\n', second.Lines));
            // The earlier session's pause is not announced again: only the journal's own line for it.
            Assert.DoesNotContain(second.Lines, l => l.Contains("r1 train: run held paused after"));
            Assert.Equal("stopped", (string?)(await PbmCli.Row(data, endpoint, "run", "stop"))["state"]);
            Assert.Equal(0, await second.WaitForExit(Patience));
            Assert.Contains(second.Lines, l => l.Contains("r1 train: run held was stopped after"));
        }

        // No step lost or repeated across the pause, the kill and the resume.
        var run = JournalFile.Read(data).Where(r => r.PersistenceId == "run-held").Select(r => r.Event).ToArray();
        var completed = run.OfType<StepCompleted>().Select(s => s.Step).ToArray();
        Assert.Equal(Enumerable.Range(0, completed.Length).Select(i => (long)i), completed);
        Assert.True(completed.Length > pausedAt);
        // A stop ends the node's run at once: the step in flight then, if any, is started and never completed.
        var started = run.OfType<StepStarted>().Select(s => s.Step).ToArray();
        Assert.Equal(Enumerable.Range(0, started.Length).Select(i => (long)i), started);
        Assert.InRange(started.Length, completed.Length, completed.Length + 1);
        Assert.Equal([typeof(RunPaused), typeof(RunResumed), typeof(RunStopped)],
            run.Where(e => e is RunPaused or RunResumed or RunStopped).Select(e => e.GetType()));
    }

    private static async Task<string> Endpoint(R1Process r1)
    {
        Assert.True(await r1.WaitForLine("pbm command host on", Patience), string.Join('\n', r1.Lines));
        string line = r1.Lines.First(l => l.Contains("pbm command host on"));
        // The run is not in ./.r1: the hint names its data dir, where the client finds the generated token.
        Assert.Contains(" --data-dir ", line);
        return EndpointLine().Match(line).Groups[1].Value;
    }

    [GeneratedRegex(@"pbm command host on (\S+),")]
    private static partial Regex EndpointLine();
}
