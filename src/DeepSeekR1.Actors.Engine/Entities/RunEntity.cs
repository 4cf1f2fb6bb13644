using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// The run: its configuration and lifecycle (running, paused, stopped, finished). Drives the steps: for each, picks the
/// questions with <c>TrainingPrompts.ForStep</c>, starts their prompt groups, and waits for the learner to report the
/// step applied. What the learner applied is the truth; the run catches up with it after a restart (it asks the
/// learner). A pause or stop lets the step in flight finish and starts no new one; a resume asks the learner again.
/// A finished run started again with more steps is extended and goes on.
/// </summary>
internal sealed class RunEntity : RunTaggedActor
{
    private readonly EngineContext context;
    private readonly string runId;
    private RunStarted? config;
    private string state = RunStates.New;
    private long completed;          // steps recorded as completed
    private long current = -1;       // step in progress, -1 when none
    private string checkpoint = "";
    private int restarts;            // engine restarts journaled (RunRestarted)
    private bool restartRecorded;    // this engine's own restart, once journaled
    private string? failure;         // why a failed run failed

    public RunEntity(EngineContext context) : base(context.Run.RunId)
    {
        this.context = context;
        runId = context.Run.RunId;

        Recover<RunStarted>(e => (config, state) = (e, RunStates.Running));
        Recover<StepStarted>(e => current = e.Step);
        Recover<StepCompleted>(Apply);
        Recover<RunPaused>(_ => state = RunStates.Paused);
        Recover<RunResumed>(_ => state = RunStates.Running);
        Recover<RunStopped>(_ => state = RunStates.Stopped);
        Recover<RunFinished>(e => (state, checkpoint) = (RunStates.Finished, e.Checkpoint));
        Recover<RunExtended>(_ => state = RunStates.Running);
        Recover<RunRestarted>(_ => restarts++);
        Recover<RunFailed>(e => (state, failure) = (RunStates.Failed, e.Reason));
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is RunSnapshot s)
                (config, completed, current, state, checkpoint, restarts, failure) = (s.Config, s.StepsCompleted, s.CurrentStep, s.State, s.Checkpoint, s.Restarts, s.Failure);
        });

        Command<StartRun>(_ => OnStart());
        Command<LearnerProgress>(OnLearnerProgress);
        Command<PauseRun>(_ => Transition(RunStates.Running, RunStates.Paused, new RunPaused(runId, completed)));
        // A run stops from running or paused; a new, finished or stopped run answers with its status unchanged.
        Command<StopRun>(_ => Transition(state is RunStates.Running or RunStates.Paused ? state : "", RunStates.Stopped, new RunStopped(runId, completed)));
        Command<ResumeRun>(_ => Transition(RunStates.Paused, RunStates.Running, new RunResumed(runId, completed)));
        Command<GetRunStatus>(_ => Sender.Tell(Status()));
        Command<FailRun>(OnFail);
        Command<SaveSnapshotSuccess>(_ => { });
        // The journal still holds every event; a snapshot only shortens recovery. Say so rather than drop it silently.
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Warning(f.Cause,
            "run {0}: snapshot at sequence {1} was not saved; recovery replays the journal instead", runId, f.Metadata.SequenceNr));
    }

    public override string PersistenceId => $"run-{runId}";

    private RunStatus Status() => new(runId, state, completed, current, checkpoint, restarts);

    // The learner cannot go on: journal why, start nothing more, and end the host's run with the reason.
    private void OnFail(FailRun fail)
    {
        if (state is RunStates.Finished or RunStates.Stopped or RunStates.Failed)
        {
            if (state == RunStates.Failed) Publish(Completed());
            return;
        }
        PersistTagged(new RunFailed(runId, completed, fail.Reason), e =>
        {
            (state, failure) = (RunStates.Failed, e.Reason);
            Context.GetLogger().Error("run {0} failed after {1} steps: {2}", runId, completed, e.Reason);
            Publish(Completed());
        });
    }

    private RunCompleted Completed() => new(runId, (int)completed, checkpoint, state, failure);

    private void Apply(StepCompleted e)
    {
        completed = e.Step + 1;
        checkpoint = e.Checkpoint;
        if (current == e.Step) current = -1;
    }

    private void OnStart()
    {
        var run = context.Run;
        // A supervisor restarted this engine after the last one died: journal that first (pbm and replay show it).
        if (run.Restart is { } restart && !restartRecorded)
        {
            PersistTagged(new RunRestarted(runId, restart.Attempt, restart.MaxRestarts, restart.Cause, completed), _ =>
            {
                restarts++;
                restartRecorded = true;
                OnStart();
            });
            return;
        }
        var requested = new RunStarted(runId, run.Seed, run.Grpo.Steps, run.Grpo.PromptsPerStep, run.Grpo.GroupSize, run.Grpo.Task, run.ConfigText);
        if (config is null)
        {
            PersistTagged(requested, e =>
            {
                (config, state) = (e, RunStates.Running);
                Advance();
            });
            return;
        }
        // A resumed run must sample the same questions with the same seeds; only the number of steps may change.
        if (Mismatch(config, requested) is { } reason)
        {
            Publish(new RunRejected(runId, reason));
            return;
        }
        // A finished run asked for more steps than it has carries on from its last step.
        if (state == RunStates.Finished && requested.Steps > completed)
        {
            PersistTagged(new RunExtended(runId, completed, requested.Steps), _ =>
            {
                state = RunStates.Running;
                Advance();
            });
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

    private void Transition(string from, string to, IPersisted @event)
    {
        if (state != from)
        {
            Sender.Tell(Status());
            return;
        }
        var asker = Sender;
        PersistTagged(@event, _ =>
        {
            state = to;
            asker.Tell(Status());
            if (to == RunStates.Running) Advance();
            else if (to == RunStates.Stopped) Publish(Completed());
        });
    }

    // Ask the learner how far it got; its answer (LearnerProgress) moves the run on.
    private void Advance()
    {
        if (state is RunStates.Finished or RunStates.Stopped or RunStates.Failed)
            Publish(Completed());
        else
            context.Learner.Tell(new QueryLearner(runId, completed - 1));
    }

    private void OnLearnerProgress(LearnerProgress progress)
    {
        if (config is null || state is RunStates.Finished or RunStates.Failed) return;
        var missing = progress.Applied.Where(a => a.Step >= completed).OrderBy(a => a.Step)
            .Select(a => new StepCompleted(runId, a.Step, a.Metrics, a.Checkpoint)).ToArray();
        if (missing.Length == 0) { Continue(progress); return; }
        PersistAllTagged(missing, e =>
        {
            Apply(e);
            Publish(new RunStepReported(runId, e.Step, e.Metrics, e.Checkpoint));
            MaybeSnapshot();
            if (e.Step == missing[^1].Step) Continue(progress);
        });
    }

    private void Continue(LearnerProgress progress)
    {
        if (state != RunStates.Running) return;            // paused or stopped: the step in flight was the last
        if (completed != progress.StepsApplied) return;     // a stale answer; a newer one follows
        if (completed >= context.Run.Grpo.Steps)
        {
            PersistTagged(new RunFinished(runId, (int)completed, progress.Checkpoint), e =>
            {
                (state, checkpoint) = (RunStates.Finished, e.Checkpoint);
                Publish(new RunCompleted(runId, e.Steps, e.Checkpoint, state));
            });
            return;
        }
        long step = completed;
        if (current == step) { StartGroups(step, progress.Checkpoint); return; }
        PersistTagged(new StepStarted(runId, step, step), e =>
        {
            current = e.Step;
            MaybeSnapshot();
            StartGroups(step, progress.Checkpoint);
        });
    }

    // Idempotent: a group that already has its question ignores the repeat (after a restart it resumes instead).
    private void StartGroups(long step, string policyCheckpoint)
    {
        var items = context.Prompts.ForStep(step);
        for (int i = 0; i < items.Count; i++)
            context.Groups.Tell(EngineContext.To(EntityIds.Group(runId, step, i),
                new StartGroup(runId, step, i, QuestionData.From(items[i]), context.Run.Grpo.GroupSize, step, policyCheckpoint)));
    }

    private void Publish(object message) => context.PubSub.Tell(new Publish(EntityIds.RunTopic(runId), message));

    private void MaybeSnapshot()
    {
        int every = context.Settings.SnapshotEvery;
        if (every > 0 && LastSequenceNr % every == 0)
            SaveSnapshot(new RunSnapshot(runId, config, completed, current, state, checkpoint, restarts, failure));
    }
}
