using System.Runtime.CompilerServices;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>
/// Reads a run's events through Akka.Persistence.Query, from a journal that no node needs to be running on (a finished
/// run, or a journal copied from another machine) or from one a node is writing (<see cref="Live"/>). It starts a plain
/// local ActorSystem with only the journal's query plugin and the contract serializer: no cluster, no entities.
/// Every entity of a run tags its events with the run id, so one tag query returns the run in journal order.
/// </summary>
public sealed class JournalReader : IAsyncDisposable
{
    private readonly ActorSystem system;
    private readonly SqlReadJournal journal;
    private readonly IMaterializer materializer;

    private JournalReader(ActorSystem system)
    {
        this.system = system;
        journal = ReadJournal(system);
        materializer = system.Materializer();
    }

    // The query plugin waits a fixed 5 s for the write journal to start; on a loaded machine that can run out before
    // SQLite answers. A journal that opens on the next try was only slow, not broken: try three times.
    private static SqlReadJournal ReadJournal(ActorSystem system)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier); }
            catch (Exception e) when (attempt < 3 && IsTimeout(e)) { }
        }
    }

    private static bool IsTimeout(Exception? e) =>
        e is not null && (e is AskTimeoutException or TimeoutException || IsTimeout(e.InnerException)
                          || (e is AggregateException a && a.InnerExceptions.Any(IsTimeout)));

    /// <summary>
    /// Opens the journal the configuration names: by default the SQLite file <c>DATA_DIR/journal.db</c> (a copy from
    /// another machine works), or a cluster's PostgreSQL journal when <paramref name="overrides"/> layer
    /// <c>hocon/cluster.conf</c> (connection string from <c>R1_JOURNAL_CONNECTION</c> or <c>r1.cluster.journal-connection</c>).
    /// Throws <see cref="FileNotFoundException"/> when a SQLite journal is missing: reading must never create an empty one.
    /// </summary>
    /// <param name="dataDirectory">The data dir that holds <c>journal.db</c>.</param>
    /// <param name="overrides">The command's configuration (journal plugin settings); null = the embedded default.</param>
    public static JournalReader Open(string dataDirectory, Config? overrides = null)
    {
        // Logging off: every failure of a query reaches the caller as an exception (located and explained below), and
        // Akka's stream supervisor would otherwise print each one again with its stack trace. A plain local system:
        // reading needs no cluster, so no node has to run.
        var local = ConfigurationFactory.ParseString("""
            akka.actor.provider = local
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            """).WithFallback(overrides ?? Config.Empty);
        var config = EngineConfig.ForDataDirectory(dataDirectory, local);
        string file = Path.Combine(dataDirectory, EngineConfig.JournalFileName);
        if (EngineConfig.UsesSqlite(config) && !File.Exists(file))
            throw new FileNotFoundException($"no journal at {Path.GetFullPath(file)} (is --data-dir the folder a run wrote to?)", file);
        if (EngineConfig.UsesSqlite(config)) EngineConfig.CheckJournalFile(file);
        return new JournalReader(ActorSystem.Create("r1-replay", config));
    }

    /// <summary>The run's events written so far, in journal order; the sequence ends at the last one.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellation">Stops the reading.</param>
    public IAsyncEnumerable<JournalEvent> Current(string runId, CancellationToken cancellation = default) =>
        Read(runId, journal.CurrentEventsByTag(runId, Offset.NoOffset()), cancellation);

    /// <summary>
    /// The run's events, in journal order, then each new one as it is written; the sequence never ends on its own:
    /// cancel <paramref name="cancellation"/> to stop (it then ends without an exception).
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellation">Stops the tailing.</param>
    public IAsyncEnumerable<JournalEvent> Live(string runId, CancellationToken cancellation = default) =>
        Read(runId, journal.EventsByTag(runId, Offset.NoOffset()), cancellation);

    private async IAsyncEnumerable<JournalEvent> Read(string runId, Source<EventEnvelope, NotUsed> source, [EnumeratorCancellation] CancellationToken cancellation)
    {
        // A queue sink pulls one envelope at a time (a long run's journal never sits in memory whole); the kill switch
        // ends the stream when the caller cancels, so a live tail stops at once instead of at its next poll.
        var (killSwitch, queue) = source
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .ToMaterialized(Sink.Queue<EventEnvelope>(), Keep.Both)
            .Run(materializer);
        await using var stop = cancellation.Register(killSwitch.Shutdown);
        try
        {
            while (true)
            {
                EventEnvelope envelope;
                try
                {
                    var next = await queue.PullAsync();
                    if (!next.HasValue) yield break;
                    envelope = next.Value;
                }
                catch (Exception e) when (UnknownContract(e) is { } unknown)
                {
                    throw await Locate(runId, unknown);
                }
                yield return ToEvent(envelope);
            }
        }
        finally
        {
            killSwitch.Shutdown();   // the caller stopped early: end the query too
        }
    }

    private static JournalEvent ToEvent(EventEnvelope e) => new(
        e.PersistenceId,
        e.SequenceNr,
        e.Offset is Sequence s ? s.Value : 0,
        JournalTimestamp.From(e.Timestamp),
        ContractCodec.ManifestOf(e.Event.GetType()),
        e.Event);

    private static UnknownContractException? UnknownContract(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is UnknownContractException unknown) return unknown;
            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate) return UnknownContract(aggregate.InnerExceptions[0]);
        }
        return null;
    }

    // The serializer does not know which row it was decoding, so the failure is located afterwards: the run's entities
    // are read one by one until one fails, then ranges of its sequence numbers narrow down the first unreadable event
    // (the query decodes a whole batch before emitting any of it, so "the event after the last one seen" is not enough).
    private async Task<JournalReadException> Locate(string runId, UnknownContractException cause)
    {
        var ids = await journal.CurrentPersistenceIds()
            .Where(id => BelongsTo(id, runId))
            .RunWith(Sink.Seq<string>(), materializer);
        foreach (string id in ids.Order(StringComparer.Ordinal))
        {
            var (readable, unknown) = await TryRead(id, 1, long.MaxValue);
            if (unknown is null) continue;
            // Grow a window past the last event seen until it fails, then halve it down to the first failing event.
            long low = readable + 1, width = 1;
            while ((await TryRead(id, low, low + width - 1)).Unknown is null)
            {
                // Nothing unreadable within 2^40 events: the entity failed for another reason; say which entity at least.
                if (width > 1L << 40) return new JournalReadException(runId, id, null, unknown);
                low += width;
                width *= 2;
            }
            long high = low + width - 1;
            while (low < high)
            {
                long mid = low + (high - low) / 2;
                if ((await TryRead(id, low, mid)).Unknown is not null) high = mid;
                else low = mid + 1;
            }
            return new JournalReadException(runId, id, low, (await TryRead(id, low, low)).Unknown ?? unknown);
        }
        return new JournalReadException(runId, null, null, cause);
    }

    // Reads an entity's events from..to; returns the last sequence number seen, and the failure if one was unreadable.
    private async Task<(long Last, UnknownContractException? Unknown)> TryRead(string persistenceId, long from, long to)
    {
        long last = from - 1;
        try
        {
            await journal.CurrentEventsByPersistenceId(persistenceId, from, to).RunForeach(e => last = e.SequenceNr, materializer);
            return (last, null);
        }
        catch (Exception e) when (UnknownContract(e) is { } unknown)
        {
            return (last, unknown);
        }
    }

    /// <summary>The ids of the runs the journal holds (from their run entities), sorted.</summary>
    public async Task<IReadOnlyList<string>> RunIds()
    {
        var ids = await journal.CurrentPersistenceIds()
            .Where(id => EntityIds.RunOf(id) is not null)
            .RunWith(Sink.Seq<string>(), materializer);
        return ids.Select(id => EntityIds.RunOf(id)!).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Whether <paramref name="persistenceId"/> is one of the run's entities (the run, its learner, its prompt groups).</summary>
    /// <param name="persistenceId">A persistence id.</param>
    /// <param name="runId">The run.</param>
    public static bool BelongsTo(string persistenceId, string runId) => EntityIds.BelongsToRun(persistenceId, runId);

    /// <summary>Stops the reader's ActorSystem.</summary>
    public async ValueTask DisposeAsync() => await system.Terminate();
}
