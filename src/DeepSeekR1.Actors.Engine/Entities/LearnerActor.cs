using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// The learner (a cluster singleton): collects a step's finished groups, runs <see cref="GrpoLearner.Step"/> on them in
/// group order, writes the checkpoint (weights, optimizer state, manifest), then journals <see cref="StepApplied"/> (its
/// only event), acknowledges the groups and publishes the new policy version. On restart it loads the checkpoint of the
/// last applied step and answers groups of applied steps with an acknowledgement only, so each step is applied once.
/// Runs on the model dispatcher (the process's tensor thread).
/// </summary>
internal sealed class LearnerActor : RunTaggedActor
{
    /// <summary>The optimizer state's file name inside a checkpoint folder.</summary>
    public const string OptimizerFile = "optimizer.bin";

    private readonly EngineContext context;
    private readonly string runId;
    private readonly List<StepApplied> applied = [];
    private readonly SortedDictionary<int, GroupData> groups = [];
    private readonly Dictionary<int, IActorRef> deliverers = [];
    private readonly Stopwatch sinceLastStep = new();
    private PolicyModel? policy;
    private GrpoLearner? learner;

    public LearnerActor(EngineContext context) : base(context.Run.RunId)
    {
        this.context = context;
        runId = context.Run.RunId;

        Recover<StepApplied>(applied.Add);
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not LearnerSnapshot s) return;
            applied.Clear();
            applied.AddRange(s.Applied);
        });
        Recover<RecoveryCompleted>(_ => Prepare());

        Command<QueryLearner>(q => Sender.Tell(Progress(q.AfterStep)));
        Command<DeliverGroup>(OnGroup);
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { });
    }

    public override string PersistenceId => $"learner-{runId}";

    private long StepsApplied => applied.Count;

    private string CheckpointOf(long version) => version == 0 ? context.CheckpointDirectory(0) : applied[(int)version - 1].Checkpoint;

    private LearnerProgress Progress(long afterStep) =>
        new(StepsApplied, CheckpointOf(StepsApplied), applied.Where(a => a.Step > afterStep).ToArray());

    // Rebuilds the policy, reference and optimizer exactly as they were after the last applied step.
    private void Prepare()
    {
        string initial = context.CheckpointDirectory(0);
        if (!IsVerified(initial))
        {
            using var fresh = context.Run.InitialPolicy();
            PolicyCheckpoint.Save(fresh, initial, SaveOptions(0, optimizerState: null));
        }
        long n = StepsApplied;
        // The reference is the policy as of the last refresh (GrpoLearner copies it from the policy it is given).
        int every = context.Run.Grpo.ReferenceRefreshEvery;
        long refreshedAt = every > 0 ? n / every * every : 0;
        policy = PolicyCheckpoint.Load(CheckpointOf(refreshedAt), context.Run.Device);
        learner = new GrpoLearner(policy, context.Run.Grpo, context.Run.Sampling.Temperature, context.Run.Sampling.MaxNewTokens);
        if (n > 0)
        {
            string latest = CheckpointOf(n);
            if (refreshedAt != n)
            {
                using var loaded = Checkpoint.Load(latest, verify: true);
                PolicyCheckpoint.CopyInto(policy, loaded.Tensors, latest);
            }
            learner.Optimizer.load_state_dict(Path.Combine(latest, OptimizerFile));
            learner.ResumeAt(n);
        }
        // A crash between journaling a step and pruning leaves checkpoints behind that nothing needs.
        Prune(n);
        sinceLastStep.Restart();
    }

    // Deletes the older checkpoints that nothing needs any more (CheckpointRetention says which stay); a reference
    // refresh can release a version long after it was written, so every older version is looked at.
    private void Prune(long latest)
    {
        for (long version = 1; version < latest; version++)
        {
            string directory = context.CheckpointDirectory(version);
            if (CheckpointRetention.Keeps(version, latest, context.Run.Grpo) || !Directory.Exists(directory)) continue;
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException e) { Context.GetLogger().Warning("learner: could not delete old checkpoint {0}: {1}", directory, e.Message); }
        }
    }

    private static bool IsVerified(string directory)
    {
        if (!File.Exists(Path.Combine(directory, CheckpointManifest.FileName))) return false;
        try { CheckpointManifest.Verify(directory); return true; }
        catch (CheckpointException) { return false; }
    }

    private void OnGroup(DeliverGroup delivery)
    {
        long step = delivery.Group.Step;
        if (step < StepsApplied) { Sender.Tell(new GroupAccepted(delivery.GroupId, step)); return; }
        if (step > StepsApplied) return;   // cannot happen while the run waits for each step; the group re-sends anyway
        groups[delivery.Group.Index] = delivery.Group;
        deliverers[delivery.Group.Index] = Sender;
        if (groups.Count == context.Run.Grpo.PromptsPerStep) ApplyStep(step);
    }

    private void ApplyStep(long step)
    {
        double samplingSeconds = sinceLastStep.Elapsed.TotalSeconds;
        context.Mark($"update step={step + 1}");
        var metrics = learner!.Step(step, groups.Values.Select(g => g.ToRolloutGroup()).ToArray(), samplingSeconds);

        context.Mark($"checkpoint step={step + 1}");
        string directory = context.CheckpointDirectory(step + 1);
        // Staged outside the checkpoint folder: the save copies it in, and the manifest covers it.
        string staging = Directory.CreateDirectory(Path.Combine(context.Run.RunDirectory, ".staging")).FullName;
        string optimizerState = Path.Combine(staging, OptimizerFile);
        learner.Optimizer.save_state_dict(optimizerState);
        PolicyCheckpoint.Save(policy!, directory, SaveOptions(step + 1, optimizerState));
        Directory.Delete(staging, recursive: true);
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, CheckpointManifest.FileName))));

        PersistTagged(new StepApplied(runId, step, MetricsData.From(metrics), directory, sha), e =>
        {
            applied.Add(e);
            foreach (var (index, deliverer) in deliverers)
                deliverer.Tell(new GroupAccepted(EntityIds.Group(runId, step, index), step));
            groups.Clear();
            deliverers.Clear();
            context.Mark($"applied step={step + 1}");
            context.PubSub.Tell(new Publish(EntityIds.PolicyTopic(runId), new PolicyVersionPublished(runId, StepsApplied, directory)));
            context.Runs.Tell(EngineContext.To(runId, Progress(step - 1)));
            Prune(StepsApplied);
            int every = context.Settings.SnapshotEvery;
            if (every > 0 && StepsApplied % every == 0)
                SaveSnapshot(new LearnerSnapshot(runId, applied.ToArray(), context.CheckpointDirectory(0)));
            sinceLastStep.Restart();
        });
    }

    private CheckpointSaveOptions SaveOptions(long version, string? optimizerState) => new()
    {
        Overwrite = true,
        ExtraFiles = [.. context.Run.CheckpointExtraFiles, .. optimizerState is null ? Array.Empty<string>() : [optimizerState]],
        Metadata = new Dictionary<string, string>
        {
            ["run"] = runId,
            ["step"] = version.ToString(CultureInfo.InvariantCulture),
        },
    };

    protected override void PostStop()
    {
        learner?.Dispose();
        policy?.Dispose();
        base.PostStop();
    }
}
