using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// The run: its configuration and lifecycle (running, paused, stopped, finished). Drives the steps: for each, picks the
/// questions with <c>TrainingPrompts.ForStep</c>, starts their prompt groups, and waits for the learner to report the
/// step applied. What the learner applied is the truth; the run catches up with it after a restart (it asks the
/// learner). A pause or stop lets the step in flight finish and starts no new one; a resume asks the learner again.
/// A finished run started again with more steps is extended and goes on. With <c>r1.async.max-staleness</c> k >= 1 the
/// run keeps up to k steps ahead of the learner: once s steps are applied, steps s..s+k are started, each with the
/// newest policy version (s), so a sample can lag its step by k versions at most. The entity decides; <see cref="RunState"/>
/// applies: every event, recovered or just persisted, changes the state through <see cref="RunState.Apply"/> only.
/// </summary>
internal sealed class RunEntity : RunTaggedActor
{
    /// <summary>Whom the run talks to: the learner singleton, the groups' region and the pub-sub mediator.</summary>
    public sealed record Peers(IActorRef Learner, IActorRef Groups, IActorRef PubSub);

    private readonly EngineRun inputs;
    private readonly TrainingPrompts prompts;
    private readonly int snapshotEvery;
    private readonly Peers peers;
    private readonly string runId;
    private RunState run = RunState.New;
    private bool restartRecorded;    // this engine's own restart, once journaled (a command-side fact, not journaled state)

    public RunEntity(EngineRun inputs, TrainingPrompts prompts, int snapshotEvery, Peers peers) : base(inputs.RunId)
    {
        this.inputs = inputs;
        this.prompts = prompts;
        this.snapshotEvery = snapshotEvery;
        this.peers = peers;
        runId = inputs.RunId;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is RunSnapshot s) run = RunState.From(s);
        });
        Recover<IPersisted>(e => run = run.Apply(e));

        Command<StartRun>(_ => OnStart());
        Command<LearnerProgress>(OnLearnerProgress);
        Command<PauseRun>(_ => Transition(RunStates.Running, new RunPaused(runId, run.Completed)));
        // A run stops from running or paused; a new, finished or stopped run answers with its status unchanged.
        Command<StopRun>(_ => Transition(run.State is RunStates.Running or RunStates.Paused ? run.State : "", new RunStopped(runId, run.Completed)));
        Command<ResumeRun>(_ => Transition(RunStates.Paused, new RunResumed(runId, run.Completed)));
        Command<GetRunStatus>(_ => Sender.Tell(run.Status(runId)));
        Command<FailRun>(OnFail);
        Command<SaveSnapshotSuccess>(_ => { });
        // The journal still holds every event; a snapshot only shortens recovery. Say so rather than drop it silently.
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Warning(f.Cause,
            "run {0}: snapshot at sequence {1} was not saved; recovery replays the journal instead", runId, f.Metadata.SequenceNr));
    }

    public override string PersistenceId => EntityIds.RunPersistenceId(runId);

    // Persists one event, folds it into the state, then runs what follows from it.
    private void Record<T>(T @event, Action<T>? then = null) where T : IPersisted =>
        PersistTagged(@event, e =>
        {
            run = run.Apply(e);
            then?.Invoke(e);
        });

    // The learner cannot go on: journal why, start nothing more, and end the host's run with the reason.
    private void OnFail(FailRun fail)
    {
        if (run.IsOver)
        {
            if (run.State == RunStates.Failed) Publish(run.Completion(runId));
            return;
        }
        Record(new RunFailed(runId, run.Completed, fail.Reason), e =>
        {
            Context.GetLogger().Error("run {0} failed after {1} steps: {2}", runId, run.Completed, e.Reason);
            Publish(run.Completion(runId));
        });
    }

    private void OnStart()
    {
        // A supervisor restarted this engine after the last one died: journal that first (pbm and replay show it).
        if (inputs.Restart is { } restart && !restartRecorded)
        {
            Record(new RunRestarted(runId, restart.Attempt, restart.MaxRestarts, restart.Cause, run.Completed), _ =>
            {
                restartRecorded = true;
                OnStart();
            });
            return;
        }
        var requested = new RunStarted(runId, inputs.Seed, inputs.Grpo.Steps, inputs.Grpo.PromptsPerStep, inputs.Grpo.GroupSize, inputs.Grpo.Task, inputs.ConfigText);
        if (run.Config is null)
        {
            Record(requested, _ => Advance());
            return;
        }
        // A resumed run must sample the same questions with the same seeds; only the number of steps may change.
        if (Mismatch(run.Config, requested) is { } reason)
        {
            Publish(new RunRejected(runId, reason));
            return;
        }
        // A finished run asked for more steps than it has carries on from its last step.
        if (run.State == RunStates.Finished && requested.Steps > run.Completed)
        {
            Record(new RunExtended(runId, run.Completed, requested.Steps), _ => Advance());
            return;
        }
        Advance();
    }

    private static string? Mismatch(RunStarted recorded, RunStarted requested) =>
        recorded.Seed != requested.Seed ? $"r1.seed is {requested.Seed}, the run was started with {recorded.Seed}"
        : recorded.PromptsPerStep != requested.PromptsPerStep ? $"r1.grpo.prompts-per-step is {requested.PromptsPerStep}, the run was started with {recorded.PromptsPerStep}"
        : recorded.GroupSize != requested.GroupSize ? $"r1.grpo.group-size is {requested.GroupSize}, the run was started with {recorded.GroupSize}"
        : recorded.Task != requested.Task ? $"r1.grpo.task is {requested.Task}, the run was started with {recorded.Task}"
        : null;

    // A lifecycle command valid only from state `from`; otherwise the asker gets the status unchanged.
    private void Transition(string from, IPersisted @event)
    {
        if (run.State != from)
        {
            Sender.Tell(run.Status(runId));
            return;
        }
        var asker = Sender;
        Record(@event, _ =>
        {
            asker.Tell(run.Status(runId));
            if (run.State == RunStates.Running) Advance();
            else if (run.State == RunStates.Stopped) Publish(run.Completion(runId));
        });
    }

    // Ask the learner how far it got; its answer (LearnerProgress) moves the run on.
    private void Advance()
    {
        if (run.IsOver)
            Publish(run.Completion(runId));
        else
            peers.Learner.Tell(new QueryLearner(runId, run.Completed - 1));
    }

    private void OnLearnerProgress(LearnerProgress progress)
    {
        if (run.Config is null || run.State is RunStates.Finished or RunStates.Failed) return;
        var applied = progress.Applied.Where(a => a.Step >= run.Completed).OrderBy(a => a.Step).ToArray();
        // The step's metrics are the learner's StepApplied; the run records only that it moved on (metrics journaled once).
        var missing = applied.Select(a => new StepCompleted(runId, a.Step, Metrics: null, a.Checkpoint)).ToArray();
        if (missing.Length == 0) { Continue(progress); return; }
        var metrics = applied.ToDictionary(a => a.Step, a => a.Metrics);
        PersistAllTagged(missing, e =>
        {
            run = run.Apply(e);
            Publish(new RunStepReported(runId, e.Step, metrics[e.Step], e.Checkpoint));
            MaybeSnapshot();
            if (e.Step == missing[^1].Step) Continue(progress);
        });
    }

    private void Continue(LearnerProgress progress)
    {
        if (run.State != RunStates.Running) return;               // paused or stopped: the step in flight was the last
        if (run.Completed != progress.StepsApplied) return;        // a stale answer; a newer one follows
        if (run.Completed >= inputs.Grpo.Steps)
        {
            Record(new RunFinished(runId, (int)run.Completed, progress.Checkpoint), _ => Publish(run.Completion(runId)));
            return;
        }
        // Steps Completed..last may be in flight: the next one alone when synchronous, k more when asynchronous.
        long last = Math.Min(run.Completed + inputs.Async.MaxStaleness, inputs.Grpo.Steps - 1);
        // Steps the journal says were started get their groups again (a group ignores a repeat, or resumes after a restart).
        for (long step = run.Completed; step <= Math.Min(run.Current, last); step++) StartGroups(step, progress);
        var fresh = new List<StepStarted>();
        for (long step = Math.Max(run.Current + 1, run.Completed); step <= last; step++) fresh.Add(new StepStarted(runId, step, progress.StepsApplied));
        if (fresh.Count == 0) return;
        PersistAllTagged(fresh, e =>
        {
            run = run.Apply(e);
            MaybeSnapshot();
            // The learner times the step from here (not from the previous step's end, which may lie before a pause).
            peers.Learner.Tell(new StepOpened(runId, e.Step));
            StartGroups(e.Step, progress);
        });
    }

    // Idempotent: a group that already has its question ignores the repeat (after a restart it resumes instead). Its
    // samples come from the newest version the learner has applied (the step's own when synchronous).
    private void StartGroups(long step, LearnerProgress progress)
    {
        var items = prompts.ForStep(step);
        for (int i = 0; i < items.Count; i++)
            peers.Groups.Tell(EntityIds.To(EntityIds.Group(runId, step, i),
                new StartGroup(runId, step, i, QuestionData.From(items[i]), inputs.Grpo.GroupSize, progress.StepsApplied, progress.Checkpoint)));
    }

    private void Publish(object message) => peers.PubSub.Tell(new Publish(EntityIds.RunTopic(runId), message));

    private void MaybeSnapshot()
    {
        int every = snapshotEvery;
        if (every > 0 && LastSequenceNr % every == 0) SaveSnapshot(run.ToSnapshot(runId));
    }
}
