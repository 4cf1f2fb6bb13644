using Akka.Persistence;
using Akka.Persistence.Journal;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// A persistent entity of one run whose events are all tagged with the run id, so that replay can read a run's
/// events in order with one tag query.
/// </summary>
internal abstract class RunTaggedActor(string runId) : ReceivePersistentActor
{
    private readonly string[] tags = [runId];

    protected void PersistTagged<T>(T @event, Action<T> handler) where T : IPersisted =>
        Persist(new Tagged(@event, tags), _ => handler(@event));

    protected void PersistAllTagged<T>(IReadOnlyList<T> events, Action<T> handler) where T : IPersisted =>
        PersistAll(events.Select(e => new Tagged(e, tags)), tagged => handler((T)tagged.Payload));
}
