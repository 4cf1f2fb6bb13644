using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepSeekR1.Actors.Cli.Commands;
using Microsoft.Data.Sqlite;

namespace DeepSeekR1.Actors.Engine.Tests.Replay;

/// <summary>The real <c>r1 replay</c> and <c>r1 journal export</c> commands on the journal of a real tiny run.</summary>
[Collection(ReplayedRun.Collection)]
public sealed class ReplayCommandTests(ReplayedRun run)
{
    private static (int Exit, string Output, string Error) Invoke(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        int exit = new RootCommand { ReplayCommand.Create(), JournalCommand.Create() }
            .Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    internal static Dictionary<string, double?>[] ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line => line.Split(',')
            .Select((cell, i) => (header[i], cell.Length == 0 ? (double?)null : double.Parse(cell, CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Item1, p => p.Item2)).ToArray();
    }

    [Fact]
    public void Replay_writes_the_learners_metrics_the_analyses_the_charts_and_the_report()
    {
        string data = run.CopyJournal();
        string outDir = Path.Combine(data, "replay");
        var (exit, output, error) = Invoke("replay", "--run", ReplayedRun.RunId, "--data-dir", data, "--out", outDir);
        Assert.True(exit == 0, error);
        Assert.Contains("2 steps (finished)", output);

        string[] required =
        [
            "step", "policy_version", "reward_mean", "accuracy", "response_tokens_mean", "kl", "clip_fraction", "step_seconds",
            "language_mixing", "reflective_words", "word_wait", "word_mistake", "word_however", "word_but", "word_retry",
            "word_error", "word_verify", "word_wrong", "word_evaluate", "word_check",
        ];
        Assert.Equal(required, File.ReadLines(Path.Combine(outDir, "metrics.csv")).First().Split(',').Take(required.Length));
        var rows = ReadCsv(Path.Combine(outDir, "metrics.csv"));
        Assert.Equal(2, rows.Length);
        for (int i = 0; i < 2; i++)
        {
            var (row, logged) = (rows[i], run.Logged[i]);
            Assert.Equal(i + 1, row["step"]);
            Assert.Equal(i, row["policy_version"]);
            // A synchronous run trains on what the policy it updates produced: no sample is behind.
            Assert.Equal(0, row["staleness_mean"]);
            Assert.Equal(0, row["staleness_max"]);
            // Where the step's time went, from the journal's clock: both phases measured, neither longer than the step.
            Assert.InRange(row["sampling_seconds"]!.Value, 1e-4, logged.StepSeconds + 1);
            Assert.InRange(row["learning_seconds"]!.Value, 0, logged.StepSeconds + 1);
            Assert.Equal(logged.RewardMean, row["reward_mean"]!.Value, 1e-8);
            Assert.Equal(logged.Accuracy, row["accuracy"]!.Value, 1e-8);
            Assert.Equal(logged.CompletionLengthMean, row["response_tokens_mean"]!.Value, 1e-8);
            Assert.Equal(logged.KlMean ?? 0, row["kl"] ?? 0, 1e-8);
            Assert.Equal(logged.ClipFractionLow + logged.ClipFractionHigh, row["clip_fraction"]!.Value, 1e-8);
            Assert.Equal(logged.StepSeconds, row["step_seconds"]!.Value, 1e-6);
            Assert.Equal(row["reflective_words"]!.Value, required.Where(c => c.StartsWith("word_")).Sum(c => row[c]!.Value), 1e-6);
        }

        var levels = ReadCsv(Path.Combine(outDir, "accuracy_by_level.csv"));
        Assert.Equal([1.0, 2.0], levels.Select(l => l["step"]!.Value));
        Assert.Contains(levels, l => l.Where(kv => kv.Key.StartsWith("level_")).Any(kv => kv.Value is not null));

        string report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        foreach (string chart in new[] { "accuracy_reward.png", "response_length.png", "reflective_words.png", "accuracy_by_level.png" })
        {
            byte[] png = File.ReadAllBytes(Path.Combine(outDir, chart));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.Contains($"]({chart})", report);
        }
        Assert.Contains("| accuracy |", report);
        Assert.Contains("State: finished; 2 steps applied", report);
        Assert.False(Directory.Exists(Path.Combine(outDir, ".replay-staging")));
    }

    [Fact]
    public void Replay_of_a_journal_from_a_newer_build_fails_with_exit_code_2_naming_the_event()
    {
        string data = run.CopyJournal();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "journal.db")};Pooling=False"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE journal SET manifest = 'RunStarted.v7' WHERE persistence_id = 'run-tiny' AND sequence_number = 1";
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        var (exit, _, error) = Invoke("replay", "--run", ReplayedRun.RunId, "--data-dir", data, "--out", Path.Combine(data, "replay"));
        Assert.Equal(ReplayCommand.JournalError, exit);
        Assert.Contains("RunStarted version 7", error);
        Assert.Contains("'run-tiny', sequence nr 1", error);
    }

    [Fact]
    public void Replay_of_an_unknown_run_names_the_runs_the_journal_holds()
    {
        string data = run.CopyJournal();
        var (exit, _, error) = Invoke("replay", "--run", "nope", "--data-dir", data, "--out", Path.Combine(data, "replay"));
        Assert.Equal(ReplayCommand.JournalError, exit);
        Assert.Contains("run 'nope' has no events", error);
        Assert.Contains("the runs tiny", error);
    }

    [Fact]
    public void Journal_export_writes_one_json_line_per_event()
    {
        string data = run.CopyJournal();
        string file = Path.Combine(data, "tiny.jsonl");
        var (exit, output, error) = Invoke("journal", "export", "--run", ReplayedRun.RunId, "--data-dir", data, "--out", file);
        Assert.True(exit == 0, error);
        var lines = File.ReadAllLines(file);
        Assert.Contains($"{lines.Length} events of run tiny", output);
        var types = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()).ToArray();
        Assert.Equal("RunStarted", types[0]);
        Assert.Equal(12, types.Count(t => t == "RolloutRecorded"));
        Assert.Equal(2, types.Count(t => t == "StepApplied"));
        Assert.False(File.Exists(file + ".partial"));
    }
}
