using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>
/// What the journal says about runs, read through Akka.Persistence.Query. The learner's applied steps come from here
/// rather than from asking the learner: the learner answers between steps only, and a step can take minutes, while
/// the journal answers at once. It also knows runs that no node hosts right now.
/// </summary>
/// <param name="system">The node's ActorSystem (its query plugin reads the node's journal).</param>
internal sealed class RunJournal(ActorSystem system)
{

    private SqlReadJournal Journal => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    /// <summary>The ids of every run in the journal.</summary>
    public async Task<IReadOnlyList<string>> RunIds(CancellationToken cancellation)
    {
        var ids = await Journal.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), system.Materializer()).WaitAsync(cancellation);
        return ids.Select(EntityIds.RunOf).OfType<string>().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The run's lifecycle as its journal records it; null when the journal has no such run.</summary>
    public async Task<RunStatus?> Status(string runId, CancellationToken cancellation)
    {
        var events = await Events(EntityIds.RunPersistenceId(runId), cancellation);
        if (events.Count == 0) return null;
        // The same transitions the Run entity applies on recovery.
        var status = new RunStatus(runId, RunStates.New, 0, -1, "");
        foreach (var e in events)
            status = e switch
            {
                RunStarted => status with { State = RunStates.Running },
                StepStarted s => status with { CurrentStep = s.Step },
                StepCompleted c => status with { StepsCompleted = c.Step + 1, Checkpoint = c.Checkpoint, CurrentStep = status.CurrentStep == c.Step ? -1 : status.CurrentStep },
                RunPaused => status with { State = RunStates.Paused },
                RunResumed => status with { State = RunStates.Running },
                RunStopped => status with { State = RunStates.Stopped },
                RunFinished f => status with { State = RunStates.Finished, Checkpoint = f.Checkpoint },
                RunRestarted => status with { Restarts = status.Restarts + 1 },
                RunFailed => status with { State = RunStates.Failed },
                _ => status,
            };
        return status;
    }

    /// <summary>The steps the run was created with, from its <see cref="RunStarted"/>; null before it.</summary>
    public async Task<int?> PlannedSteps(string runId, CancellationToken cancellation) =>
        (await Events(EntityIds.RunPersistenceId(runId), cancellation)).OfType<RunStarted>().LastOrDefault()?.Steps;

    /// <summary>Every step the run's learner applied, in order, with its metrics and checkpoint.</summary>
    public async Task<IReadOnlyList<StepApplied>> Applied(string runId, CancellationToken cancellation) =>
        (await Events(EntityIds.LearnerPersistenceId(runId), cancellation)).OfType<StepApplied>().OrderBy(a => a.Step).ToArray();

    /// <summary>The staleness the learner journaled for each step of an asynchronous run, in step order (none when synchronous).</summary>
    public async Task<IReadOnlyList<StalenessRecorded>> Staleness(string runId, CancellationToken cancellation) =>
        (await Events(EntityIds.LearnerPersistenceId(runId), cancellation)).OfType<StalenessRecorded>().OrderBy(a => a.Step).ToArray();

    /// <summary>The expert load of every step of a MoE run, in step order (empty for a dense run).</summary>
    public async Task<IReadOnlyList<ExpertLoadRecorded>> ExpertLoads(string runId, CancellationToken cancellation) =>
        (await Events(EntityIds.LearnerPersistenceId(runId), cancellation)).OfType<ExpertLoadRecorded>().OrderBy(a => a.Step).ToArray();

    /// <summary>The last state expert shard <paramref name="shard"/> of the run saved (journaled by the shard itself), or null.</summary>
    public async Task<ExpertShardSaved?> LastShardSave(string runId, int shard, CancellationToken cancellation) =>
        (await Events(Experts.ExpertShardActor.PersistenceIdOf(runId, shard), cancellation)).OfType<ExpertShardSaved>().LastOrDefault();

    private async Task<IReadOnlyList<object>> Events(string persistenceId, CancellationToken cancellation)
    {
        var envelopes = await Journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer()).WaitAsync(cancellation);
        return envelopes.Select(e => e.Event).ToArray();
    }
}
