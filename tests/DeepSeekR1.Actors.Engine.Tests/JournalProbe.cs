using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>Reads an entity's journaled events back through Akka.Persistence.Query.</summary>
internal static class JournalProbe
{
    public static async Task<IReadOnlyList<object>> Events(ActorSystem system, string persistenceId)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var events = await journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer());
        return events.Select(e => e.Event).ToArray();
    }

    /// <summary>Every event tagged <paramref name="tag"/>, in journal order.</summary>
    public static async Task<IReadOnlyList<object>> EventsByTag(ActorSystem system, string tag)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var events = await journal.CurrentEventsByTag(tag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer());
        return events.Select(e => e.Event).ToArray();
    }

    /// <summary>Waits until the entity has journaled at least <paramref name="count"/> events, and returns them.</summary>
    public static async Task<IReadOnlyList<object>> AwaitEvents(ActorSystem system, string persistenceId, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var events = await Events(system, persistenceId);
            if (events.Count >= count || DateTime.UtcNow > deadline) return events;
            await Task.Delay(50);
        }
    }
}
