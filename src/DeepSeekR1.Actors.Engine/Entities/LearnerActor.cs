using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// The learner (a cluster singleton): collects a step's finished groups, runs <see cref="GrpoLearner.Step"/> on them in
/// group order, writes the checkpoint (weights, optimizer state, manifest), then journals <see cref="StepApplied"/> (its
/// only event), acknowledges the groups and publishes the new policy version. On restart it loads the checkpoint of the
/// last applied step and answers groups of applied steps with an acknowledgement only, so each step is applied once.
/// In an asynchronous run (<c>r1.async.max-staleness</c> k >= 1) groups of the next k steps arrive while a step trains;
/// they wait here, and a step whose groups are all in is applied as soon as the one before it is.
/// Runs on the model dispatcher (the process's tensor thread).
/// </summary>
internal sealed class LearnerActor : RunTaggedActor
{
    /// <summary>The learner's own settings: how often it snapshots, the fault probe's step (0 for none) and how long
    /// it waits before each update (a slow learner, for tests of the staleness bound).</summary>
    public sealed record Options(int SnapshotEvery, long SegfaultAtStep, TimeSpan UpdateDelay);

    /// <summary>Whom the learner talks to: the pub-sub mediator (policy versions, faults) and the runs' region.</summary>
    public sealed record Peers(IActorRef PubSub, IActorRef Runs);

    private readonly EngineRun run;
    private readonly LearnerCheckpoints checkpoints;
    private readonly Options options;
    private readonly EngineMarkers markers;
    private readonly Peers peers;
    private readonly string runId;
    private LearnerState journaled = LearnerState.New;
    // Finished groups waiting for their step, by step and index, with who delivered each (acknowledged once applied).
    private readonly SortedDictionary<long, SortedDictionary<int, (GroupData Group, IActorRef Deliverer)>> waiting = [];
    private readonly Stopwatch sinceLastStep = new();
    private readonly Dictionary<long, int> failedUpdates = [];          // step -> updates that threw, this incarnation
    private const int UpdateAttempts = 3;
    private string? fault;   // why the learner cannot go on (a corrupt checkpoint); it then answers only with this
    private PolicyModel? policy;
    private GrpoLearner? learner;

    public LearnerActor(EngineRun run, Options options, EngineMarkers markers, Peers peers) : base(run.RunId)
    {
        this.run = run;
        // Expert shards on other nodes are found among the cluster's members with the experts role.
        checkpoints = new LearnerCheckpoints(run, run.Experts.Location == ExpertLocation.Nodes
            ? RemoteExpertShards.Connector(Context.System, run.RunId, new ClusterExpertDirectory(Context.System), run.Experts)
            : null);
        this.options = options;
        this.markers = markers;
        this.peers = peers;
        runId = run.RunId;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is LearnerSnapshot s) journaled = LearnerState.From(s);
        });
        Recover<IPersisted>(e => journaled = journaled.Apply(e));
        Recover<RecoveryCompleted>(_ => PrepareOrFault());

        Command<QueryLearner>(q =>
        {
            if (fault is not null) { PublishFault(); return; }
            Sender.Tell(Progress(q.AfterStep));
        });
        Command<StepOpened>(OnStepOpened);
        Command<DeliverGroup>(OnGroup);
        Command<ApplyReady>(_ => ApplyIfComplete());
        Command<SaveSnapshotSuccess>(_ => { });
        // The journal still holds every StepApplied; a snapshot only shortens recovery. Say so rather than drop it.
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Warning(f.Cause,
            "learner {0}: snapshot at sequence {1} was not saved; recovery replays the journal instead", runId, f.Metadata.SequenceNr));
    }

    public override string PersistenceId => EntityIds.LearnerPersistenceId(runId);

    // Sent to itself after a step is journaled: the next step's groups may all be waiting already.
    private sealed record ApplyReady;

    private long StepsApplied => journaled.StepsApplied;

    private string CheckpointOf(long version) => version == 0 ? run.Layout.Checkpoint(0) : journaled.Applied[(int)version - 1].Checkpoint;

    private LearnerProgress Progress(long afterStep) =>
        new(StepsApplied, CheckpointOf(StepsApplied), journaled.Applied.Where(a => a.Step > afterStep).ToArray());

    // A checkpoint it cannot read (truncated, flipped, deleted) fails the same way after every restart: instead of
    // throwing in recovery and idling, the learner says what failed and the host ends with it (the journal untouched).
    private void PrepareOrFault()
    {
        try
        {
            Prepare();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            learner?.Dispose();
            policy?.Dispose();
            (learner, policy) = (null, null);
            fault = $"the learner cannot restore run {runId} after step {StepsApplied}: {e.Message}";
            Context.GetLogger().Error("learner {0}: {1}", runId, fault);   // the message names the path; no trace
            PublishFault();
        }
    }

    private void PublishFault() =>
        peers.PubSub.Tell(new Publish(EntityIds.RunTopic(runId), new RunFaulted(runId, fault!)));

    // Rebuilds the policy, reference and optimizer exactly as they were after the last applied step.
    private void Prepare()
    {
        checkpoints.EnsureInitial();
        (policy, learner) = checkpoints.Restore(StepsApplied, CheckpointOf);
        if (learner.Shards is { } shards)
            foreach (var (line, bytes) in shards.Placement.Describe().Zip(shards.ParameterBytes))
                Context.GetLogger().Info("learner {0}: {1} ({2:N0} parameter bytes)", runId, line, bytes);
        // A crash between journaling a step and pruning leaves checkpoints behind that nothing needs.
        Prune(StepsApplied);
        sinceLastStep.Restart();
    }

    private void Prune(long latest)
    {
        foreach (var (directory, reason) in checkpoints.Prune(latest))
            Context.GetLogger().Warning("learner: could not delete old checkpoint {0}: {1}", directory, reason);
    }

    // A step's time runs from when the run opened it. Usually that is a few milliseconds after the previous step was
    // applied; after a pause (or a stop and a later start) it is when the run went on, and the wait between is no one's
    // sampling time. A step opened ahead of the one awaited (an asynchronous run) or already delivering changes nothing.
    private void OnStepOpened(StepOpened opened)
    {
        if (fault is null && opened.Step == StepsApplied && !waiting.ContainsKey(opened.Step)) sinceLastStep.Restart();
    }

    private void OnGroup(DeliverGroup delivery)
    {
        if (fault is not null) { PublishFault(); return; }
        long step = delivery.Group.Step;
        if (step < StepsApplied) { Sender.Tell(new GroupAccepted(delivery.GroupId, step)); return; }
        // Beyond the staleness bound the run has not started it (a synchronous run waits for each step); it re-sends.
        if (step > StepsApplied + run.Async.MaxStaleness) return;
        if (journaled.Rejected.TryGetValue(delivery.GroupId, out var refused)) { FailRun(refused); return; }
        var model = policy!.Config;
        if (RolloutGroupCheck.Problem(delivery.Group.ToRolloutGroup(), run.Grpo.GroupSize, model.VocabSize, model.ContextLength) is { } problem)
        {
            PersistTagged(new GroupRejected(runId, step, delivery.Group.Index, delivery.GroupId, problem), r =>
            {
                journaled = journaled.Apply(r);
                FailRun(r);
            });
            return;
        }
        if (!waiting.TryGetValue(step, out var groups)) waiting[step] = groups = [];
        groups[delivery.Group.Index] = (delivery.Group, Sender);
        ApplyIfComplete();
    }

    private void ApplyIfComplete()
    {
        if (fault is null && waiting.TryGetValue(StepsApplied, out var groups) && groups.Count == run.Grpo.PromptsPerStep)
            ApplyStep(StepsApplied);
    }

    // After an update that failed: drop the step's groups (they deliver again) and rebuild the policy, reference and
    // optimizer from the last checkpoint, since the update may have changed some weights before it stopped.
    private void Reload()
    {
        waiting.Clear();
        learner?.Dispose();
        policy?.Dispose();
        PrepareOrFault();
    }

    private void FailRun(GroupRejected r)
    {
        string reason = $"the learner refused group {r.GroupId} (step {r.Step + 1}, group {r.Index}): {r.Reason}";
        Context.GetLogger().Error("learner {0}: {1}", runId, reason);
        peers.Runs.Tell(EntityIds.To(runId, new FailRun(runId, reason)));
    }

    private void ApplyStep(long step)
    {
        double samplingSeconds = sinceLastStep.Elapsed.TotalSeconds;
        markers.Mark($"update step={step + 1}");
        if (options.SegfaultAtStep == step + 1 && run.Restart is null) NativeFault.Segfault();
        if (options.UpdateDelay > TimeSpan.Zero) Thread.Sleep(options.UpdateDelay);
        StepMetrics metrics;
        StepAdvantages advantages;
        ExpertLoadRecorded? load;
        StalenessRecorded? staleness;
        var groups = waiting[step];
        try
        {
            var update = learner!.Step(step, groups.Values.Select(g => g.Group.ToRolloutGroup()).ToArray(), samplingSeconds);
            metrics = update.Metrics;
            advantages = new StepAdvantages(runId, step,
                groups.Keys.Zip(update.Advantages, (index, values) => new GroupAdvantagesData(index, values)).ToArray());
            load = update.ExpertLoad.Count == 0 || metrics.ExpertLoadMaxOverMean is not { } maxOverMean ? null
                : new ExpertLoadRecorded(runId, step, maxOverMean, update.ExpertLoad.Select(l => new ExpertLayerLoadData(l.Layer, l.Tokens, l.Bias)).ToArray());
            // A synchronous run's samples all lag 0: its journal stays as it always was (unless it resumed a run that
            // was asynchronous, whose early-started groups it then drops and says so).
            staleness = run.Async.MaxStaleness == 0 && update.Staleness is { Max: 0, Dropped: 0 } ? null
                : new StalenessRecorded(runId, step, run.Async.MaxStaleness, update.Staleness.Mean, update.Staleness.Max, update.Staleness.Dropped, samplingSeconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The update may have changed some weights before it threw: rebuild the policy and optimizer from the last
            // checkpoint, and let the groups deliver again. The same failure every time is not transient: fail the run.
            int attempts = failedUpdates[step] = failedUpdates.GetValueOrDefault(step) + 1;
            Context.GetLogger().Error(e, "learner {0}: the update of step {1} failed (attempt {2} of {3})", runId, step + 1, attempts, UpdateAttempts);
            Reload();
            if (attempts >= UpdateAttempts)
                peers.Runs.Tell(EntityIds.To(runId, new FailRun(runId,
                    $"the update of step {step + 1} failed {attempts} times, the last with {e.GetType().Name}: {e.Message}")));
            return;
        }
        // A NaN or infinite loss or gradient would go into the checkpoint and every later step: save nothing, put the
        // weights back as they were, and fail the run (the same groups would give the same numbers again).
        if (!double.IsFinite(metrics.Loss) || !double.IsFinite(metrics.GradNorm))
        {
            Reload();
            peers.Runs.Tell(EntityIds.To(runId, new FailRun(runId,
                $"the update of step {step + 1} gave loss {metrics.Loss} and gradient norm {metrics.GradNorm}; no checkpoint was written")));
            return;
        }

        markers.Mark($"checkpoint step={step + 1}");
        var tags = EngineMetrics.Run(runId);
        EngineMetrics.WaitSeconds.Record(samplingSeconds, tags);
        EngineMetrics.UpdateSeconds.Record(metrics.StepSeconds - samplingSeconds, tags);
        var clock = Stopwatch.StartNew();
        string directory, sha;
        try
        {
            (directory, sha) = checkpoints.Write(step + 1, learner!);
            EngineMetrics.CheckpointSeconds.Record(clock.Elapsed.TotalSeconds, tags);
            clock.Restart();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only folder: the step cannot be made durable, and retrying would fill the log, not
            // the disk. No partial checkpoint is left and nothing is journaled; the run stops, and once there is room
            // the same command resumes from the last applied step (the journal never saw this one).
            learner?.Dispose();
            policy?.Dispose();
            (learner, policy) = (null, null);
            fault = $"cannot write the checkpoint of step {step + 1} to {run.Layout.Checkpoint(step + 1)}: {e.Message}";
            Context.GetLogger().Error("learner {0}: {1}", runId, fault);
            PublishFault();
            return;
        }

        // One atomic write: a journal never holds a step's advantages without the step, or the step without them.
        IPersisted?[] written = [advantages, load, staleness, new StepApplied(runId, step, MetricsData.From(metrics), directory, sha)];
        PersistAllTagged(written.OfType<IPersisted>().ToArray(), e =>
        {
            journaled = journaled.Apply(e);
            if (e is not StepApplied) return;
            EngineMetrics.JournalWriteSeconds.Record(clock.Elapsed.TotalSeconds, tags);
            EngineMetrics.StepsApplied.Add(1, tags);
            EngineMetrics.RewardMean.Record(metrics.RewardMean, tags);
            foreach (var (index, (_, deliverer)) in groups)
                deliverer.Tell(new GroupAccepted(EntityIds.Group(runId, step, index), step));
            waiting.Remove(step);
            markers.Mark($"applied step={step + 1}");
            peers.PubSub.Tell(new Publish(EntityIds.PolicyTopic(runId), new PolicyVersionPublished(runId, StepsApplied, directory)));
            peers.Runs.Tell(EntityIds.To(runId, Progress(step - 1)));
            Prune(StepsApplied);
            int every = options.SnapshotEvery;
            if (every > 0 && StepsApplied % every == 0)
                SaveSnapshot(journaled.ToSnapshot(runId, run.Layout.Checkpoint(0)));
            sinceLastStep.Restart();
            if (waiting.ContainsKey(StepsApplied)) Self.Tell(new ApplyReady());
        });
    }

    protected override void PostStop()
    {
        learner?.Dispose();
        policy?.Dispose();
        base.PostStop();
    }
}
