using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;
using Microsoft.Data.Sqlite;

namespace DeepSeekR1.Actors.Engine.Tests.Replay;

[Collection(ReplayedRun.Collection)]
public sealed class JournalReplayTests(ReplayedRun run)
{
    private static async Task<RunProjection> Replay(string dataDir)
    {
        await using var reader = JournalReader.Open(dataDir);
        var projection = new RunProjection();
        await foreach (var e in reader.Current(ReplayedRun.RunId)) projection.Apply(e);
        return projection;
    }

    [Fact]
    public async Task Replaying_a_copied_journal_with_no_node_running_gives_the_metrics_the_learner_logged()
    {
        string copy = run.CopyJournal();
        var projection = await Replay(copy);

        Assert.Equal(RunStates.Finished, projection.EndState);
        Assert.Equal(ReplayedRun.RunId, projection.Started!.RunId);
        var steps = projection.Steps();
        Assert.Equal([0L, 1L], steps.Select(s => s.Step));
        Assert.Equal([0L, 1L], steps.Select(s => s.PolicyVersion));
        for (int i = 0; i < steps.Count; i++)
        {
            var (logged, replayed) = (run.Logged[i], steps[i]);
            // The journaled metrics are the learner's, field for field.
            Assert.Equal(logged, replayed.Metrics.ToStepMetrics());
            // The completions the step was trained on give the same rollout statistics when analysed afresh.
            var a = replayed.Analysis;
            Assert.Equal(logged.Outputs, a.Completions);
            Assert.Equal(logged.RewardMean, a.RewardMean, 1e-9);
            Assert.Equal(logged.Accuracy, a.Accuracy, 1e-9);
            Assert.Equal(logged.CompletionLengthMean, a.ResponseTokensMean, 1e-9);
            Assert.Equal(a.ReflectivePer1000, a.WordPer1000.Sum(), 1e-9);
            Assert.InRange(a.LanguageMixing, 0, 1);
            Assert.All(a.AccuracyByLevel, l => Assert.InRange(l.Value, 0, 1));
            Assert.NotNull(replayed.AppliedAt);
            Assert.InRange(replayed.AppliedAt!.Value, run.StartedAt.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        }
    }

    [Fact]
    public async Task A_live_tail_sees_every_event_of_the_run_in_journal_order_and_stops_at_its_end()
    {
        Assert.Contains(run.Tailed, e => e.Event is RunFinished);
        var projection = new RunProjection();
        foreach (var e in run.Tailed) projection.Apply(e);
        var afterwards = await Replay(run.DataDir);
        Assert.Equal(afterwards.Steps().Select(s => (s.Step, s.Metrics)), projection.Steps().Select(s => (s.Step, s.Metrics)));
        Assert.True(run.Tailed.Zip(run.Tailed.Skip(1)).All(p => p.Item1.Offset < p.Item2.Offset), "offsets must increase");
    }

    [Fact]
    public async Task An_unknown_future_event_version_is_an_error_naming_the_type_version_entity_and_sequence_number()
    {
        string copy = run.CopyJournal();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(copy, "journal.db")};Pooling=False"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE journal SET manifest = 'StepApplied.v99' WHERE persistence_id = 'learner-tiny' AND sequence_number = 2";
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        var error = await Assert.ThrowsAsync<JournalReadException>(() => Replay(copy));
        Assert.Equal(("StepApplied", 99, "learner-tiny", 2L), (error.TypeName, error.Version, error.PersistenceId, error.SequenceNr));
        Assert.Contains("StepApplied version 99", error.Message);
        Assert.Contains("'learner-tiny'", error.Message);
        Assert.Contains("sequence nr 2", error.Message);
        Assert.Contains("StepApplied.v1", error.Message);   // what this build can read
    }

    [Fact]
    public async Task Reading_a_folder_without_a_journal_says_so_and_creates_nothing()
    {
        using var empty = new TempDir();
        var error = Assert.Throws<FileNotFoundException>(() => JournalReader.Open(empty.Path));
        Assert.Contains("no journal at", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty.Path));
        await Task.CompletedTask;
    }
}
