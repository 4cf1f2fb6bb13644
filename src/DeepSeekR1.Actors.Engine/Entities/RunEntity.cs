using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// The run: its configuration and lifecycle. Drives the steps: for each, picks the questions with
/// <c>TrainingPrompts.ForStep</c>, starts their prompt groups, and waits for the learner to report the step applied.
/// What the learner applied is the truth; the run catches up with it after a restart (it asks the learner).
/// </summary>
internal sealed class RunEntity : RunTaggedActor
{
    private readonly EngineContext context;
    private readonly string runId;
    private bool started;
    private long completed;          // steps recorded as completed
    private long current = -1;       // step in progress, -1 when none
    private bool finished;
    private string checkpoint = "";

    public RunEntity(EngineContext context) : base(context.Run.RunId)
    {
        this.context = context;
        runId = context.Run.RunId;

        Recover<RunStarted>(_ => started = true);
        Recover<StepStarted>(e => current = e.Step);
        Recover<StepCompleted>(e => Apply(e));
        Recover<RunFinished>(e => { finished = true; checkpoint = e.Checkpoint; });
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not RunSnapshot s) return;
            (started, completed, current, finished, checkpoint) = (s.Started, s.StepsCompleted, s.CurrentStep, s.Finished, s.Checkpoint);
        });

        Command<StartRun>(_ =>
        {
            if (started) { Advance(); return; }
            var grpo = context.Run.Grpo;
            PersistTagged(new RunStarted(runId, context.Run.Seed, grpo.Steps, grpo.PromptsPerStep, grpo.GroupSize, grpo.Task, context.Run.ConfigText), _ =>
            {
                started = true;
                Advance();
            });
        });
        Command<LearnerProgress>(OnLearnerProgress);
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { });
    }

    public override string PersistenceId => $"run-{runId}";

    private void Apply(StepCompleted e)
    {
        completed = e.Step + 1;
        checkpoint = e.Checkpoint;
        if (current == e.Step) current = -1;
    }

    // Ask the learner how far it got; its answer (LearnerProgress) moves the run on.
    private void Advance()
    {
        if (finished)
        {
            Publish(new RunCompleted(runId, (int)completed, checkpoint));
            return;
        }
        context.Learner.Tell(new QueryLearner(runId, completed - 1));
    }

    private void OnLearnerProgress(LearnerProgress progress)
    {
        if (!started || finished) return;
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
        if (completed != progress.StepsApplied) return;   // a stale answer; a newer one follows
        if (completed >= context.Run.Grpo.Steps)
        {
            PersistTagged(new RunFinished(runId, (int)completed, progress.Checkpoint), e =>
            {
                finished = true;
                checkpoint = e.Checkpoint;
                Publish(new RunCompleted(runId, e.Steps, e.Checkpoint));
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
            SaveSnapshot(new RunSnapshot(runId, started, completed, current, finished, checkpoint));
    }
}
