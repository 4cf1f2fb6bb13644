using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Grpo;
using Microsoft.Data.Sqlite;

namespace DeepSeekR1.Actors.Engine.Tests.Replay;

/// <summary>
/// One real tiny run (2 steps x 2 prompts x 3 samples) shared by the replay tests: what the learner reported, the
/// events a live tail saw while the run went on, and the journal left behind after the node stopped.
/// </summary>
public sealed class ReplayedRun : IAsyncLifetime
{
    /// <summary>The test collection that shares one run.</summary>
    public const string Collection = "replayed tiny run";

    public const string RunId = "tiny";

    private readonly TempDir dir = new();
    private readonly List<TempDir> copies = [];

    /// <summary>The data dir the node wrote (its journal closed).</summary>
    public string DataDir => dir.Path;

    /// <summary>The learner's metrics, step by step, as the engine reported them.</summary>
    public IReadOnlyList<StepMetrics> Logged { get; private set; } = [];

    /// <summary>The events a live tail read while the run went on, up to the run's end.</summary>
    public IReadOnlyList<JournalEvent> Tailed { get; private set; } = [];

    /// <summary>When the run started (for the timestamps).</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var host = await EngineHost.StartAsync(TinyRuns.Run(dir.Path, RunId), dir.Path, TinyRuns.Overrides);
        try
        {
            await using var reader = JournalReader.Open(dir.Path);
            var tail = Tail(reader, timeout.Token);
            Logged = (await host.RunAsync(timeout.Token)).Metrics;
            Tailed = await tail;
        }
        finally { await host.DisposeAsync(); }
        // Pooled connections keep the write-ahead log open; closing them folds it into journal.db, so a copy of that
        // one file is the whole journal, as when it is copied off a machine whose node has stopped.
        SqliteConnection.ClearAllPools();
    }

    private static async Task<IReadOnlyList<JournalEvent>> Tail(JournalReader reader, CancellationToken timeout)
    {
        var projection = new RunProjection();
        var events = new List<JournalEvent>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout);
        await foreach (var e in reader.Live(RunId, stop.Token))
        {
            events.Add(e);
            projection.Apply(e);
            if (projection.EndState is not null) stop.Cancel();
        }
        return events;
    }

    /// <summary>A copy of the journal in a fresh data dir (as if carried to another machine); returns the dir.</summary>
    public string CopyJournal()
    {
        var copy = new TempDir();
        lock (copies) copies.Add(copy);
        File.Copy(Path.Combine(DataDir, EngineConfig.JournalFileName), Path.Combine(copy.Path, EngineConfig.JournalFileName));
        return copy.Path;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var copy in copies) copy.Dispose();
        dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The replay tests share one tiny run (it takes seconds, and they only read its journal or copies of it).</summary>
[CollectionDefinition(ReplayedRun.Collection)]
public sealed class ReplayedRunCollection : ICollectionFixture<ReplayedRun>;
