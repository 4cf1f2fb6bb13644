using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// One R1 pipeline (<c>r1 pipeline</c>): which of its stages are done, the one in progress, and what each produced.
/// The command that runs the stages asks it before a stage starts and tells it when the stage ends; the entity
/// refuses what would break the recipe's order (a stage started before the ones ahead of it, a second stage while
/// one is in progress, a pipeline opened again under another configuration) and journals the rest, so that a
/// killed pipeline resumes at its first unfinished stage. The entity decides; <see cref="PipelineState"/> applies.
/// </summary>
internal sealed class PipelineEntity : RunTaggedActor
{
    private readonly string pipelineId;
    private PipelineState pipeline = PipelineState.New;

    public PipelineEntity(string pipelineId) : base(EntityIds.PipelinePersistenceId(pipelineId))
    {
        this.pipelineId = pipelineId;
        Recover<IPersisted>(e => pipeline = pipeline.Apply(e));

        Command<OpenPipeline>(OnOpen);
        Command<BeginPipelineStage>(OnBegin);
        Command<CompletePipelineStage>(OnComplete);
        Command<FailPipelineStage>(OnFail);
        Command<FinishPipeline>(_ => OnFinish());
        Command<GetPipelineStatus>(_ => Sender.Tell(pipeline.Status(pipelineId)));
        Command<PausePipeline>(_ => OnPause());
        Command<ResumePipeline>(_ => OnResume());
    }

    public override string PersistenceId => EntityIds.PipelinePersistenceId(pipelineId);

    private void OnOpen(OpenPipeline open)
    {
        if (pipeline.Started is null)
        {
            if (open.Stages.Count == 0 || open.Stages.Distinct().Count() != open.Stages.Count)
            {
                Refuse($"a pipeline needs one or more stages, each named once (got [{string.Join(", ", open.Stages)}])");
                return;
            }
            Record(new PipelineStarted(pipelineId, open.Stages, open.ConfigFingerprint, open.ConfigText));
            return;
        }
        if (pipeline.Started.ConfigFingerprint != open.ConfigFingerprint || !pipeline.Started.Stages.SequenceEqual(open.Stages))
        {
            Refuse($"pipeline '{pipelineId}' was started with another configuration (stages [{string.Join(", ", pipeline.Started.Stages)}]); "
                + "run it with the configuration it started with, or give the new one its own --run-id");
            return;
        }
        // Opening again after a crash: a stage that was in progress is started again by the command (a new attempt).
        Sender.Tell(pipeline.Status(pipelineId));
    }

    // A pause lets the stage in progress finish and starts no new one: it holds across a restart of the command.
    private void OnPause()
    {
        if (pipeline.Started is null || pipeline.State is PipelineStates.Finished or PipelineStates.Paused) { Sender.Tell(pipeline.Status(pipelineId)); return; }
        Record(new PipelinePaused(pipelineId, pipeline.Completed.Count));
    }

    private void OnResume()
    {
        if (pipeline.State != PipelineStates.Paused) { Sender.Tell(pipeline.Status(pipelineId)); return; }
        Record(new PipelineResumed(pipelineId, pipeline.Completed.Count));
    }

    private void OnBegin(BeginPipelineStage begin)
    {
        if (pipeline.State == PipelineStates.Finished) { Refuse($"pipeline '{pipelineId}' is finished"); return; }
        if (pipeline.State == PipelineStates.Paused) { Refuse($"pipeline '{pipelineId}' is paused: resume it first (pbm pipeline resume)"); return; }
        if (pipeline.NextStage != begin.Stage)
        {
            Refuse($"stage '{begin.Stage}' cannot start now: the next unfinished stage is '{pipeline.NextStage ?? "(none)"}'");
            return;
        }
        // The same stage again (its last attempt crashed or failed) is a new attempt; its work is redone or resumed.
        Record(new PipelineStageStarted(pipelineId, begin.Stage, pipeline.Attempts.GetValueOrDefault(begin.Stage) + 1));
    }

    private void OnComplete(CompletePipelineStage complete)
    {
        var done = complete.Completed;
        if (pipeline.Current != done.Stage)
        {
            Refuse($"stage '{done.Stage}' is not in progress (in progress: '{pipeline.Current}')");
            return;
        }
        Record(done with { PipelineId = pipelineId });
    }

    private void OnFail(FailPipelineStage fail)
    {
        if (pipeline.Current != fail.Stage)
        {
            Refuse($"stage '{fail.Stage}' is not in progress (in progress: '{pipeline.Current}')");
            return;
        }
        Record(new PipelineStageFailed(pipelineId, fail.Stage, pipeline.Attempts.GetValueOrDefault(fail.Stage), fail.Reason));
    }

    private void OnFinish()
    {
        if (pipeline.State == PipelineStates.Finished) { Sender.Tell(pipeline.Status(pipelineId)); return; }
        if (pipeline.NextStage is not null || pipeline.Started is null)
        {
            Refuse($"pipeline '{pipelineId}' cannot finish: stage '{pipeline.NextStage ?? "(not started)"}' is not done");
            return;
        }
        Record(new PipelineFinished(pipelineId, pipeline.Completed.Count));
    }

    private void Refuse(string reason)
    {
        Context.GetLogger().Warning("pipeline {0}: {1}", pipelineId, reason);
        Sender.Tell(new PipelineRefused(pipelineId, reason));
    }

    // Persists one event, folds it into the state, then answers with the new status.
    private void Record<T>(T @event) where T : IPersisted
    {
        var sender = Sender;
        PersistTagged(@event, e =>
        {
            pipeline = pipeline.Apply(e);
            sender.Tell(pipeline.Status(pipelineId));
        });
    }
}
