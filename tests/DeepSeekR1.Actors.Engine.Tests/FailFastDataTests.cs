using System.Text.Json;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Bad data files given to the real <c>r1</c> process: invalid UTF-8, a folder for a file, questions too long for the
/// model's context, a checkpoint without a manifest. Before, these were decoded to U+FFFD in silence, retried by the
/// samplers forever, or aborted in libtorch with a C++ backtrace.
/// </summary>
public class FailFastDataTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    // A short run of the tiny cold-started policy (256 positions) on a JSONL task.
    private static string[] Train(string dataDir, string data, params string[] more) =>
        ["train", "--run-id", "ffd", "--data-dir", dataDir, "--steps", "1", "--set", "r1.train.eval-limit=0", "--set", "r1.pbm.enabled=off",
         "--set", $"r1.train.init={ColdStart.Checkpoint}", "--set", "r1.grpo.task=jsonl", "--set", $"r1.grpo.data={data}",
         "--set", "r1.grpo.prompts-per-step=2", "--set", "r1.grpo.group-size=2", "--set", "r1.sampling.max-new-tokens=12", .. more];

    private static async Task<(int Exit, IReadOnlyList<string> Lines)> Run(string workingDirectory, params string[] args)
    {
        using var r1 = R1Process.Start(workingDirectory, args);
        int exit = await r1.WaitForExit(Bound);
        return (exit, r1.Lines);
    }

    private static void AssertNoTrace(IReadOnlyList<string> lines)
    {
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("frame #", StringComparison.Ordinal));   // libtorch's backtrace
    }

    private static string Questions(string dir, string name, IEnumerable<string> questions)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllLines(path, questions.Select((q, i) => JsonSerializer.Serialize(new { question = q, answer = (i % 10).ToString() })));
        return path;
    }

    // Thirty questions that fit any context: a run that trains, for the cases whose fault lies elsewhere.
    private static string ShortQuestions(string dir) => Questions(dir, "qa.jsonl", Enumerable.Range(0, 30).Select(i => $"What is {i} + 1?"));

    [Fact]
    public async Task Invalid_utf8_in_a_data_file_names_the_file_and_line()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "qa.jsonl");
        File.WriteAllBytes(data, [.. "{\"question\": \"1+1?\", \"answer\": \"2\"}\n"u8, .. "{\"question\": \"caf"u8, 0xE9, .. " 2+2?\", \"answer\": \"4\"}\n"u8]);
        var (exit, lines) = await Run(dir.Path, Train(Path.Combine(dir.Path, "runs"), data));
        Assert.True(exit == 2, string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("r1: ", StringComparison.Ordinal) && l.Contains($"{data}:2: not valid UTF-8 at byte 18 of the line"));
        AssertNoTrace(lines);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_config_file_names_the_file_and_line()
    {
        using var dir = new TempDir();
        string config = Path.Combine(dir.Path, "run.conf");
        File.WriteAllBytes(config, [.. "r1.grpo {\n  steps = 3\n  task = \"ar"u8, 0xFF, .. "ith\"\n}\n"u8]);
        var (exit, lines) = await Run(dir.Path, "train", "--data-dir", Path.Combine(dir.Path, "runs"), "--config", config);
        Assert.Equal(2, exit);
        Assert.Contains(lines, l => l.Contains($"{config}:3: not valid UTF-8"));
        AssertNoTrace(lines);
    }

    [Fact]
    public async Task Questions_longer_than_the_context_are_skipped_with_a_count_and_the_run_goes_on()
    {
        using var dir = new TempDir();
        // The cold-started policy has 256 positions; 12 are the completion's, so a 600-character question cannot fit.
        string data = Questions(dir.Path, "qa.jsonl", Enumerable.Range(0, 30).Select(i => $"What is {i} + 1?").Append(new string('x', 600)));
        var (exit, lines) = await Run(dir.Path, Train(Path.Combine(dir.Path, "runs"), data));
        Assert.True(exit == 0, string.Join('\n', lines));
        // The long question is on line 31; the split by question text puts it in one split or the other.
        Assert.Contains(lines, l => l.StartsWith("r1: warning: ", StringComparison.Ordinal) && l.Contains("1 of ") && l.Contains("questions are skipped")
                                    && l.Contains("longer than the 244 tokens the context leaves (first: qa-31)"));
        Assert.Contains(lines, l => l.Contains("finished 1 steps"));
    }

    [Fact]
    public async Task A_data_file_whose_every_question_is_too_long_is_refused()
    {
        using var dir = new TempDir();
        string data = Questions(dir.Path, "qa.jsonl", Enumerable.Range(0, 30).Select(i => new string('y', 600) + i));
        string runs = Path.Combine(dir.Path, "runs");
        var (exit, lines) = await Run(dir.Path, Train(runs, data));
        Assert.True(exit == 2, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains($"{data}: no training question fits the model's context"));
        Assert.False(File.Exists(Path.Combine(runs, "runs", "ffd", "config.conf")), "a refused run must not look begun");
        AssertNoTrace(lines);
    }

    [Fact]
    public async Task Sft_refuses_a_folder_for_its_data_file()
    {
        using var dir = new TempDir();
        var (exit, lines) = await Run(dir.Path, "sft", "--data", dir.Path, "--out", Path.Combine(dir.Path, "out"));
        Assert.Equal(2, exit);
        Assert.Contains(lines, l => l.Contains($"{dir.Path}: is a folder, not a data file"));
        AssertNoTrace(lines);
    }

    [Fact]
    public async Task Sft_skips_examples_whose_prompt_fills_the_window_and_refuses_when_none_is_left()
    {
        using var dir = new TempDir();
        string all = Path.Combine(dir.Path, "long.jsonl");
        File.WriteAllLines(all, Enumerable.Range(0, 3).Select(_ => JsonSerializer.Serialize(new { prompt = new string('p', 900), completion = "ok" })));
        string[] sft = ["sft", "--out", Path.Combine(dir.Path, "out"), "--init", ColdStart.Checkpoint, "--set", "r1.sft.steps=1", "--set", "r1.sft.batch-size=2"];
        var (exit, lines) = await Run(dir.Path, [.. sft, "--data", all]);
        Assert.True(exit == 2, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains($"{all}: no usable example") && l.Contains("(first: long-1)"));
        AssertNoTrace(lines);

        string some = Path.Combine(dir.Path, "some.jsonl");
        File.WriteAllLines(some, [.. File.ReadAllLines(all), JsonSerializer.Serialize(new { prompt = "1+1=", completion = "2" }), JsonSerializer.Serialize(new { prompt = "2+2=", completion = "4" })]);
        (exit, lines) = await Run(dir.Path, [.. sft, "--data", some]);
        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains("3 of 5 examples are skipped") && l.Contains("(first: some-1)"));
        // The model's 256 positions cap the default max-seq-len (512), with a note.
        Assert.Contains(lines, l => l.Contains("max-seq-len 512 is beyond the model's 256 positions"));
    }

    [Fact]
    public async Task Eval_and_train_load_a_checkpoint_without_a_manifest_alike_unverified_with_a_warning()
    {
        using var dir = new TempDir();
        string bare = Path.Combine(dir.Path, "bare");
        Directory.CreateDirectory(bare);
        foreach (var file in Directory.GetFiles(ColdStart.Checkpoint).Where(f => Path.GetFileName(f) != "manifest.json"))
            File.Copy(file, Path.Combine(bare, Path.GetFileName(file)));
        string warning = $"{bare} has no manifest.json (it was not written by r1): its weights are loaded unverified";

        var (evalExit, evalLines) = await Run(dir.Path, "eval", "--checkpoint", bare, "--limit", "2", "--samples", "1", "--set", "r1.eval.max-new-tokens=8");
        Assert.True(evalExit == 0, string.Join('\n', evalLines));
        Assert.Contains(evalLines, l => l.Contains(warning));

        string data = ShortQuestions(dir.Path);
        var (trainExit, trainLines) = await Run(dir.Path, [.. Train(Path.Combine(dir.Path, "runs"), data), "--set", $"r1.train.init={bare}"]);
        Assert.True(trainExit == 0, string.Join('\n', trainLines));
        Assert.Contains(trainLines, l => l.Contains(warning));
    }

    [Fact]
    public async Task A_damaged_journal_is_named_by_replay_export_and_resume_and_left_as_it_was()
    {
        using var dir = new TempDir();
        string data = ShortQuestions(dir.Path);
        string runs = Path.Combine(dir.Path, "runs");
        var (exit, lines) = await Run(dir.Path, Train(runs, data));
        Assert.True(exit == 0, string.Join('\n', lines));
        string journal = Path.Combine(runs, "journal.db");
        foreach (var extra in new[] { "-wal", "-shm" }.Select(s => journal + s).Where(File.Exists)) File.Delete(extra);
        // Cut the file short, as a full disk or an interrupted copy would.
        using (var stream = new FileStream(journal, FileMode.Open)) stream.SetLength(stream.Length / 2);
        byte[] damaged = File.ReadAllBytes(journal);

        string[][] commands =
        [
            ["replay", "--run-id", "ffd", "--out", Path.Combine(dir.Path, "replay"), "--data-dir", runs],
            ["journal", "export", "--run", "ffd", "--out", Path.Combine(dir.Path, "events.jsonl"), "--data-dir", runs],
            Train(runs, data),   // the resume
        ];
        foreach (var command in commands)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            (exit, lines) = await Run(dir.Path, command);
            Assert.True(exit == 1, $"{command[0]}: exit {exit}\n" + string.Join('\n', lines));
            Assert.Contains(lines, l => l.StartsWith("r1: ", StringComparison.Ordinal) && l.Contains($"the journal {journal} is damaged"));
            AssertNoTrace(lines);
            Assert.DoesNotContain(lines, l => l.Contains("engine died"));   // a damaged journal is not restarted on
            Assert.Equal(damaged, File.ReadAllBytes(journal));
        }
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_stops_the_run_with_the_path_and_the_same_command_resumes_later()
    {
        using var dir = new TempDir();
        string data = ShortQuestions(dir.Path);
        string runs = Path.Combine(dir.Path, "runs");
        // A file where the learner stages its optimizer state: the write fails with an IOException, as on a full disk
        // (a real full tmpfs gives the same path and message: "No space left on device"; that needs root to mount).
        string staging = Path.Combine(runs, "runs", "ffd", ".staging");
        Directory.CreateDirectory(Path.GetDirectoryName(staging)!);
        File.WriteAllText(staging, "in the way");

        var (exit, lines) = await Run(dir.Path, Train(runs, data));
        Assert.True(exit == 1, string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("r1: run faulted: cannot write the checkpoint of step 1 to ", StringComparison.Ordinal)
                                    && l.Contains(Path.Combine("ffd", "checkpoints", "step-000001")));
        Assert.DoesNotContain(lines, l => l.Contains("engine died"));
        Assert.False(Directory.Exists(Path.Combine(runs, "runs", "ffd", "checkpoints", "step-000001")), "no partial checkpoint is left");
        Assert.DoesNotContain(JournalFile.Read(runs), r => r.Event is Contracts.StepApplied);

        File.Delete(staging);   // room again
        (exit, lines) = await Run(dir.Path, Train(runs, data));
        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Single(JournalFile.Read(runs), r => r.Event is Contracts.StepApplied);
    }

    [Fact]
    public async Task A_checkpoint_with_nan_weights_is_named_by_eval_and_train_instead_of_failing_in_the_sampler()
    {
        using var dir = new TempDir();
        string nan = Path.Combine(dir.Path, "nan");
        using (var policy = ColdStart.Policy())
        {
            using (TorchSharp.torch.no_grad()) policy.parameters().First().fill_(double.NaN);
            Model.Checkpoints.PolicyCheckpoint.Save(policy, nan);   // a valid manifest over NaN weights
        }

        var (exit, lines) = await Run(dir.Path, "eval", "--checkpoint", nan, "--limit", "2", "--samples", "1");
        Assert.True(exit is 1 or 2, string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("r1 eval: ", StringComparison.Ordinal) && l.Contains($"{nan}: tensor '") && l.Contains("holds NaN or infinite values"));
        AssertNoTrace(lines);

        string data = ShortQuestions(dir.Path);
        (exit, lines) = await Run(dir.Path, [.. Train(Path.Combine(dir.Path, "runs"), data), "--set", $"r1.train.init={nan}"]);
        Assert.True(exit is 1 or 2, string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("r1", StringComparison.Ordinal) && l.Contains("holds NaN or infinite values"));
        AssertNoTrace(lines);
    }

    [Fact]
    public async Task A_journal_that_cannot_be_written_stops_the_resume_naming_it_and_changes_nothing()
    {
        using var dir = new TempDir();
        string data = ShortQuestions(dir.Path);
        string runs = Path.Combine(dir.Path, "runs");
        var (exit, lines) = await Run(dir.Path, Train(runs, data));
        Assert.True(exit == 0, string.Join('\n', lines));
        string journal = Path.Combine(runs, "journal.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={journal};Pooling=False"))
        {
            connection.Open();   // fold the write-ahead log into the file, so the file alone is the journal
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }
        // Byte 18 of a SQLite file is its write version; above 2, SQLite reads the database but refuses to write it.
        // The same as a read-only file to a non-root user, which root (who runs CI) cannot be given.
        using (var stream = new FileStream(journal, FileMode.Open)) { stream.Position = 18; stream.WriteByte(3); }
        byte[] before = File.ReadAllBytes(journal);

        (exit, lines) = await Run(dir.Path, [.. Train(runs, data), "--set", "r1.train.max-restarts=0"]);
        Assert.True(exit == 1, string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("r1: ", StringComparison.Ordinal) && l.Contains($"the journal {journal} cannot be written")
                                    && l.Contains("readonly"));
        AssertNoTrace(lines);
        Assert.Equal(before, File.ReadAllBytes(journal));
    }
}
