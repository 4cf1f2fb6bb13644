namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Bad input to the real <c>r1</c> process: each case must end within seconds, with exit 2 (bad input) and one line
/// naming the key, file or line, and no stack trace; before, each of these hung, aborted with a trace or was accepted.
/// </summary>
public class FailFastTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static string[] Train(string dataDir, params string[] more) => TrainSteps(dataDir, 2, more);

    private static string[] TrainSteps(string dataDir, int steps, params string[] more) =>
        ["train", "--run-id", "ff", "--data-dir", dataDir, "--steps", steps.ToString(), "--set", "r1.train.eval-limit=0", "--set", "r1.pbm.enabled=off", .. more];

    private static async Task<(int Exit, IReadOnlyList<string> Lines)> Run(string workingDirectory, params string[] args)
    {
        using var r1 = R1Process.Start(workingDirectory, args);
        int exit = await r1.WaitForExit(Bound);
        return (exit, r1.Lines);
    }

    private static void AssertOneLineError(IReadOnlyList<string> lines, string expected)
    {
        Assert.Contains(lines, l => l.StartsWith("r1: ", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));   // no stack trace
    }

    [Theory]
    [InlineData("r1.sampling.temperature=-1", "temperature must be a finite number >= 0")]
    [InlineData("r1.sampling.temperature=NaN", "r1.sampling.temperature")]
    [InlineData("r1.sampling.top-p=2", "top-p must be in (0, 1]")]
    [InlineData("r1.sampling.top-p=0", "top-p must be in (0, 1]")]
    [InlineData("r1.sampling.top-k=-5", "top-k must not be negative")]
    [InlineData("r1.sampling.max-new-tokens=0", "max-new-tokens must be positive")]
    [InlineData("r1.grpo.learning-rate=Infinity", "r1.grpo.learning-rate")]
    [InlineData("r1.grpo.steps=[ 3", "line 1: invalid HOCON: '[' is never closed")]
    [InlineData("r1.sampling.speculative=mtp", "r1.sampling.speculative = mtp drafts with the policy's multi-token prediction module")]
    public async Task A_setting_out_of_range_stops_the_command_before_the_run_begins(string setting, string expected)
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        var (exit, lines) = await Run(dir.Path, Train(data, "--set", setting));
        Assert.True(exit == 2, string.Join('\n', lines));
        AssertOneLineError(lines, expected);
        Assert.False(File.Exists(Path.Combine(data, "runs", "ff", "config.conf")), "a refused run must not look begun");
    }

    [Fact]
    public async Task A_config_file_with_a_bracket_left_open_names_the_file_and_line()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "bad.conf");
        File.WriteAllText(file, "# a run\nr1.grpo {\n  steps = [ 3\n}\n");
        var (exit, lines) = await Run(dir.Path, Train(Path.Combine(dir.Path, "data"), "--config", file));
        Assert.Equal(2, exit);
        AssertOneLineError(lines, $"{file}, line 4: invalid HOCON: '}}' closes the '[' opened on line 3");
    }

    [Fact]
    public async Task An_include_of_a_missing_file_names_it()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "run.conf");
        File.WriteAllText(file, "include \"missing.conf\"\n");
        var (exit, lines) = await Run(dir.Path, Train(Path.Combine(dir.Path, "data"), "--config", file));
        Assert.Equal(2, exit);
        AssertOneLineError(lines, "include \"missing.conf\": no such file");
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task A_run_id_that_is_not_a_plain_name_is_refused(string runId)
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        var (exit, lines) = await Run(dir.Path, "train", "--run-id", runId, "--data-dir", data, "--set", "r1.pbm.enabled=off");
        Assert.Equal(2, exit);
        AssertOneLineError(lines, "a run id is 1 to 100 letters, digits");
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "escape")));
    }

    [Fact]
    public async Task A_second_train_on_the_same_run_is_refused_naming_the_holder()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        string[] command = TrainSteps(data, 40, "--set", $"r1.train.init={ColdStart.Checkpoint}", "--set", "r1.engine.markers=on");
        using var first = R1Process.Start(dir.Path, command);
        Assert.True(await first.WaitForLine("r1-engine: sampling", Bound), string.Join('\n', first.Lines));
        var (exit, lines) = await Run(dir.Path, command);
        Assert.Equal(2, exit);
        AssertOneLineError(lines, $"run 'ff' is already being trained by pid {first.Id} on ");
    }

    [Fact]
    public async Task A_remoting_port_that_is_taken_is_named_in_one_line()
    {
        using var dir = new TempDir();
        var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
            var (exit, lines) = await Run(dir.Path, Train(Path.Combine(dir.Path, "data"), "--set", $"akka.remote.dot-netty.tcp.port={port}"));
            Assert.Equal(2, exit);
            AssertOneLineError(lines, $"akka.remote.dot-netty.tcp.port = {port}: cannot listen on 127.0.0.1:{port}");
            Assert.DoesNotContain(lines, l => l.Contains("Failed to bind", StringComparison.Ordinal));   // Akka's own logged trace
        }
        finally { holder.Stop(); }
    }

    [Fact]
    public async Task An_unexpected_error_is_one_line_and_verbose_adds_the_trace()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        var (exit, lines) = await Run(dir.Path, Train(data, "--set", "r1.grpo.task=arithmetic:9"));
        Assert.True(exit is 1 or 2, string.Join('\n', lines));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        var (verboseExit, verbose) = await Run(dir.Path, [.. Train(data, "--set", "r1.grpo.task=arithmetic:9"), "--verbose"]);
        Assert.Equal(exit, verboseExit);
        Assert.Contains(verbose, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("flipped")]
    [InlineData("deleted")]
    public async Task A_corrupt_latest_checkpoint_on_resume_ends_the_run_naming_it_and_leaves_the_journal_alone(string damage)
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        string[] command = TrainSteps(data, 30, "--set", $"r1.train.init={ColdStart.Checkpoint}", "--set", "r1.engine.markers=on",
            "--set", "r1.grpo.prompts-per-step=2", "--set", "r1.grpo.group-size=3", "--set", "r1.sampling.max-new-tokens=12");
        using (var first = R1Process.Start(dir.Path, command))
        {
            Assert.True(await first.WaitForLine("r1-engine: applied step=2", Bound), string.Join('\n', first.Lines));
            first.Kill9();
        }
        long eventsBefore = JournalFile.Read(data).Count;
        // Flip the weights of every checkpoint the run wrote (the manifest's hashes no longer match), or delete them.
        foreach (var folder in Directory.GetDirectories(Path.Combine(data, "runs", "ff", "checkpoints"), "step-*")
                     .Where(f => !f.EndsWith("step-000000", StringComparison.Ordinal)))
        {
            if (damage == "deleted") { Directory.Delete(folder, recursive: true); continue; }
            foreach (var file in Directory.GetFiles(folder, "*.safetensors"))
            {
                var bytes = File.ReadAllBytes(file);
                bytes[^1] ^= 0xFF;
                File.WriteAllBytes(file, bytes);
            }
        }
        var (exit, lines) = await Run(dir.Path, command);
        Assert.True(exit == 1, string.Join('\n', lines));
        AssertOneLineError(lines, "r1: run faulted: the learner cannot restore run ff after step ");
        Assert.Contains(lines, l => l.StartsWith("r1: run faulted", StringComparison.Ordinal) && l.Contains("checkpoints/step-"));
        Assert.DoesNotContain(lines, l => l.Contains("engine died"));
        Assert.Equal(eventsBefore, JournalFile.Read(data).Count);
    }

    // A finished run's learner restores only to answer the host's last query; with the final checkpoint gone that
    // query used to go unanswered five times (about two minutes) and end in "Timeout after 25.00 seconds".
    [Fact]
    public async Task A_finished_run_whose_last_checkpoint_was_deleted_ends_at_once_naming_it()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        string[] command = TrainSteps(data, 2, "--set", $"r1.train.init={ColdStart.Checkpoint}",
            "--set", "r1.grpo.prompts-per-step=2", "--set", "r1.grpo.group-size=3", "--set", "r1.sampling.max-new-tokens=12");
        var (firstExit, firstLines) = await Run(dir.Path, command);
        Assert.True(firstExit == 0, string.Join('\n', firstLines));
        string last = Path.Combine(data, "runs", "ff", "checkpoints", "step-000002");
        Assert.True(Directory.Exists(last));
        Directory.Delete(last, recursive: true);
        long eventsBefore = JournalFile.Read(data).Count;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (exit, lines) = await Run(dir.Path, command);
        Assert.True(exit == 1, string.Join('\n', lines));
        AssertOneLineError(lines, "r1: run faulted: the learner cannot restore run ff after step 2");
        Assert.Contains(lines, l => l.StartsWith("r1: run faulted", StringComparison.Ordinal) && l.Contains("step-000002"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"took {clock.Elapsed.TotalSeconds:F0} s");
        Assert.Equal(eventsBefore, JournalFile.Read(data).Count);
    }
}
