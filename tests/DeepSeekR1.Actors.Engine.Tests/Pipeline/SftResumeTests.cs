namespace DeepSeekR1.Actors.Engine.Tests.Pipeline;

/// <summary>A real <c>r1 sft</c> killed with SIGKILL continues from its last resume point when run again, and leaves none behind when done.</summary>
public class SftResumeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_killed_sft_run_again_resumes_at_its_last_resume_point_and_a_finished_one_leaves_no_point()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "cold.jsonl"), output = Path.Combine(dir.Path, "sft");
        using (var generate = R1Process.Start(dir.Path, "data", "cold-start", "--task", "arithmetic:1-2", "--count", "200", "--out", data))
            Assert.Equal(0, await generate.WaitForExit(Bound));
        string[] sft = ["sft", "--data", data, "--init", Rl.Data.RepositoryPaths.Resolve("models/base-tiny")!, "--out", output, "--data-dir", Path.Combine(dir.Path, "d"),
            "--set", "r1.sft.steps=120", "--set", "r1.sft.resume-every=20", "--set", "r1.sft.log-every=10", "--set", "r1.torch-threads=1"];

        using (var first = R1Process.Start(dir.Path, sft))
        {
            Assert.True(await first.WaitForLine("step 50/120", Bound), string.Join('\n', first.Lines));
            first.Kill9();
        }
        Assert.True(Directory.Exists(output + ".resume"), "a resume point was written");
        Assert.False(Directory.Exists(output), "a killed run has no output yet");

        using (var again = R1Process.Start(dir.Path, sft))
        {
            Assert.Equal(0, await again.WaitForExit(Bound));
            Assert.Contains(again.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"resuming at step (40|60|80|100) from .*sft\.resume"));
            Assert.DoesNotContain(again.Lines, l => l.Contains("step 10/120"));
        }
        Assert.False(Directory.Exists(output + ".resume"), "the finished run deleted its resume point");
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));

        // Other settings: the old point is not used (it is not this run's), and the run starts over.
        using (var first = R1Process.Start(dir.Path, sft))
        {
            Assert.True(await first.WaitForLine("step 30/120", Bound), string.Join('\n', first.Lines));
            first.Kill9();
        }
        using var other = R1Process.Start(dir.Path, [.. sft, "--set", "r1.sft.learning-rate=2e-4"]);
        Assert.Equal(0, await other.WaitForExit(Bound));
        Assert.Contains(other.Lines, l => l.Contains("is a resume point of other data or settings; starting over"));
    }
}
