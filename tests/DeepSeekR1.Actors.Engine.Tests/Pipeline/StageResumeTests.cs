namespace DeepSeekR1.Actors.Engine.Tests.Pipeline;

/// <summary>
/// The pipeline's non-RL stages resume too: a real <c>r1 sft</c> killed with SIGKILL continues from its last resume
/// point, and a real <c>r1 sample</c> after its last recorded chunk, writing what an uninterrupted run writes.
/// </summary>
public class StageResumeTests
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

    [Fact]
    public async Task A_killed_sample_run_again_continues_after_its_last_chunk_and_writes_what_an_uninterrupted_run_writes()
    {
        using var dir = new TempDir();
        string checkpoint = Rl.Data.RepositoryPaths.Resolve("models/base-tiny")!;
        string[] Sample(string output) => ["sample", "--checkpoint", checkpoint, "--task", "arithmetic:2", "--limit", "80", "--samples", "2",
            "--out", output, "--data-dir", Path.Combine(dir.Path, "d"), "--set", "r1.sample.chunk-questions=10", "--set", "r1.torch-threads=1",
            "--set", "r1.eval.max-new-tokens=48"];
        string whole = Path.Combine(dir.Path, "whole.jsonl"), cut = Path.Combine(dir.Path, "cut.jsonl");
        using (var once = R1Process.Start(dir.Path, Sample(whole)))
            Assert.Equal(0, await once.WaitForExit(Bound));

        using (var first = R1Process.Start(dir.Path, Sample(cut)))
        {
            // Killed once a few chunks are recorded (80 of 160 completions sampled).
            Assert.True(await first.WaitForLine("r1 sample: 80/160 completions", Bound), string.Join('\n', first.Lines));
            first.Kill9();
        }
        Assert.True(File.Exists(cut + ".progress.json"));
        Assert.False(File.Exists(cut));
        using (var again = R1Process.Start(dir.Path, Sample(cut)))
        {
            Assert.Equal(0, await again.WaitForExit(Bound));
            Assert.Contains(again.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"resuming after [1-9]0 of 80 questions"));
        }
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(cut));
        Assert.False(File.Exists(cut + ".progress.json") || File.Exists(cut + ".partial"));
    }
}
