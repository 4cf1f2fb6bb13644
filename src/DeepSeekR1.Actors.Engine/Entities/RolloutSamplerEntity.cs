using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// One device slot: a policy replica at a known version. Pulls work when free, generates a batch of several groups'
/// samples in one KV-cached generation, and sends each output to its group with the version that sampled it. Loads a
/// version's checkpoint (verifying its manifest) when the learner publishes it, between batches, or at the latest when
/// work of a newer version arrives; work started at an older version is sampled with the newest version it holds
/// (an asynchronous run's groups may start before the learner publishes the version they will meet). While idle it asks for
/// work again every drive interval, since a work queue that moved to another node (its node died) does not know it.
/// Runs on the model dispatcher (the process's tensor thread): all tensor work happens synchronously inside one message.
/// </summary>
internal sealed class RolloutSamplerEntity : ReceiveActor, IWithTimers
{
    /// <summary>Whom a sampler talks to: the pub-sub mediator (policy versions), the work queue and the groups' region.</summary>
    public sealed record Peers(IActorRef PubSub, IActorRef WorkQueue, IActorRef Groups);

    private readonly EngineRun run;
    private readonly SamplingOptions sampling;
    private readonly int maxBatchSamples;
    private readonly TimeSpan driveInterval;
    private readonly EngineMarkers markers;
    private readonly Peers peers;
    private readonly string slot;
    private PolicyModel? policy;
    private long version = -1;
    private bool running;
    private int loadFailures;   // consecutive failed loads of a checkpoint
    private const int LoadAttempts = 3;

    public RolloutSamplerEntity(string slot, EngineRun run, SamplingOptions sampling, int maxBatchSamples, TimeSpan driveInterval, EngineMarkers markers, Peers peers)
    {
        this.run = run;
        this.sampling = sampling;
        this.maxBatchSamples = maxBatchSamples;
        this.driveInterval = driveInterval;
        this.markers = markers;
        this.peers = peers;
        this.slot = slot;
        Receive<StartSampler>(_ =>
        {
            if (running) return;
            running = true;
            peers.PubSub.Tell(new Subscribe(EntityIds.PolicyTopic(run.RunId), Self));
            RequestWork();
        });
        Receive<SubscribeAck>(_ => { });
        Receive<PolicyVersionPublished>(p =>
        {
            if (p.Version <= version) return;
            try
            {
                Load(p.Version, p.Checkpoint);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Keep the slot alive and asking for work: the version is loaded again when its work arrives, and once
                // more after a pause in case the file was still being copied to this node's store.
                Context.GetLogger().Error(e, "sampler {0}: loading policy version {1} from {2} failed; retrying", slot, p.Version, p.Checkpoint);
                Timers.StartSingleTimer(nameof(PolicyVersionPublished), p, FailurePause);
            }
        });
        Receive<WorkBatch>(batch =>
        {
            try
            {
                Generate(batch.Work);
                RequestWork();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The work goes back to the queue; this slot tries again after a pause (a bad checkpoint or a device
                // error should not spin).
                Context.GetLogger().Error(e, "sampler {0}: batch of {1} samples failed; returned to the queue", slot, batch.Work.Count);
                peers.WorkQueue.Tell(new WorkFailed(slot, e.Message));
                Timers.StartSingleTimer(nameof(RetryWork), new RetryWork(), FailurePause);
            }
        });
        Receive<RetryWork>(_ => RequestWork());
    }

    private sealed record RetryWork;

    private static readonly TimeSpan FailurePause = TimeSpan.FromSeconds(5);

    public ITimerScheduler Timers { get; set; } = null!;

    private void RequestWork()
    {
        peers.WorkQueue.Tell(new RequestWork(slot, maxBatchSamples));
        Timers.StartSingleTimer(nameof(RetryWork), new RetryWork(), driveInterval);
    }

    private void Load(long newVersion, string checkpoint)
    {
        PolicyModel loaded;
        try
        {
            loaded = PolicyCheckpoint.Load(checkpoint, run.Device, dtype: run.Dtype);
        }
        catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
        {
            // A checkpoint that fails to load three times running is corrupt or gone, not still being copied: the run
            // cannot sample that version anywhere, so say so instead of retrying forever.
            if (++loadFailures >= LoadAttempts)
                peers.PubSub.Tell(new Publish(EntityIds.RunTopic(run.RunId), new RunFaulted(run.RunId,
                    $"sampler {slot} cannot load policy version {newVersion} ({checkpoint}) after {loadFailures} attempts: {e.Message}")));
            throw;
        }
        loadFailures = 0;
        loaded.eval();
        policy?.Dispose();
        policy = loaded;
        version = newVersion;
    }

    private void Generate(IReadOnlyList<SampleWork> work)
    {
        if (work.Count == 0) return;
        var first = work[0];
        if (version < first.PolicyVersion) Load(first.PolicyVersion, first.Checkpoint);
        markers.Mark($"sampling step={first.PolicyVersion + 1} samples={work.Count}");
        IReadOnlyList<GenerationResult> results;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
            results = PolicyGenerator.Generate(policy!, work.Select(w => new GenerationRequest(w.PromptIds, w.Seed)).ToArray(), sampling);
        var tags = EngineMetrics.Run(run.RunId);
        EngineMetrics.GenerationSeconds.Record(clock.Elapsed.TotalSeconds, tags);
        EngineMetrics.TokensGenerated.Add(results.Sum(r => (long)r.TokenIds.Count), tags);
        markers.Mark($"generated step={first.PolicyVersion + 1} samples={work.Count}");
        // One message per group: the group scores and journals its outputs of this batch together.
        foreach (var group in work.Select((w, i) => (Work: w, Result: results[i])).GroupBy(x => x.Work.GroupId))
            peers.Groups.Tell(EntityIds.To(group.Key, new RolloutsSampled(group.Key, group
                .Select(x => new SampledOutput(x.Work.Sample, x.Result.TokenIds, x.Result.LogProbs, x.Result.Finish, version))
                .ToArray())));
    }

    protected override void PostStop()
    {
        policy?.Dispose();
        base.PostStop();
    }
}
