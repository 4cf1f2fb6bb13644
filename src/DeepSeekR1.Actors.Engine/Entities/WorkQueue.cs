using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// Where prompt groups offer the samples they miss and free samplers pull them (a cluster singleton). A batch holds
/// samples of one policy version only, several groups' worth, in group and sample order. The queue hands a batch out
/// once a free sampler's batch is full, or once no offer has come for the linger time (the groups of a step offer within
/// milliseconds of each other, so they share one generation, as in the inline loop), but never later than
/// <see cref="LingerCap"/> lingers after the first waiting offer. Work handed to a sampler that dies or reports a failure
/// goes back to the queue. Work waiting when several samplers are free is split evenly between them. Work whose batch
/// failed <see cref="MaxAttempts"/> times (a prompt no sampler can take, a fault every replica meets) is not handed out
/// again: the queue reports the run faulted, with the samplers' last error, instead of retrying it forever.
/// In a synchronous run the queue knows how many samples a step has, and a step's work waits for all of them (up to
/// <see cref="EngineSettings.StepGatherTimeout"/>) instead of for a pause in offers: a batch that offer timing splits
/// differently computes every row with other arithmetic (batched matrix products and attention sum in another
/// order), so two runs with one seed would sample from logits that differ in their last bits and drift apart.
/// </summary>
internal sealed class WorkQueue : ReceiveActor, IWithTimers
{
    private sealed record DispatchTick;

    private readonly EngineSettings settings;
    private readonly string runId;
    private readonly IActorRef pubSub;
    private readonly Dictionary<(string Group, int Sample), int> failures = [];
    private readonly List<SampleWork> pending = [];
    private readonly HashSet<(string Group, int Sample)> known = [];
    private readonly Dictionary<IActorRef, int> idle = [];
    private readonly Dictionary<IActorRef, IReadOnlyList<SampleWork>> inFlight = [];
    private DateTime? waitingSince;   // when the oldest undispatched offer arrived while a sampler was free
    private readonly int? samplesPerStep;                    // a synchronous run's samples per step (= per policy version); null: async
    private readonly SortedDictionary<long, int> offered = [];   // distinct samples offered per policy version (synchronous runs)

    /// <summary>The longest a free sampler waits for more offers, in multiples of the linger time.</summary>
    public const int LingerCap = 5;

    /// <summary>How many failed batches a sample may be part of before the run is reported faulted.</summary>
    public const int MaxAttempts = 3;

    /// <param name="settings">The engine's batching settings.</param>
    /// <param name="runId">The run whose work this is.</param>
    /// <param name="pubSub">The distributed pub-sub mediator the run's fault is published on.</param>
    /// <param name="samplesPerStep">
    /// A synchronous run's samples per step (prompts per step x group size), whose policy version is its step; null for
    /// an asynchronous run, whose versions a step's groups share with others.
    /// </param>
    public WorkQueue(EngineSettings settings, string runId, IActorRef pubSub, int? samplesPerStep = null)
    {
        if (samplesPerStep is <= 0) throw new ArgumentOutOfRangeException(nameof(samplesPerStep), "must be positive");
        this.settings = settings;
        this.runId = runId;
        this.pubSub = pubSub;
        this.samplesPerStep = samplesPerStep;
        Receive<OfferWork>(offer =>
        {
            var fresh = new List<SampleWork>();
            foreach (var work in offer.Work)
                if (known.Add((work.GroupId, work.Sample)))
                {
                    fresh.Add(work);
                    if (samplesPerStep is not null) offered[work.PolicyVersion] = offered.GetValueOrDefault(work.PolicyVersion) + 1;
                }
            Enqueue(fresh);
            ScheduleDispatch();
        });
        Receive<RequestWork>(request =>
        {
            if (inFlight.Remove(Sender, out var done))
                foreach (var work in done) { known.Remove((work.GroupId, work.Sample)); failures.Remove((work.GroupId, work.Sample)); }
            idle[Sender] = request.MaxSamples;
            Context.Watch(Sender);
            ScheduleDispatch();
        });
        Receive<WorkFailed>(failure =>
        {
            if (!inFlight.Remove(Sender, out var failed)) return;
            int attempts = failed.Max(w => failures[(w.GroupId, w.Sample)] = failures.GetValueOrDefault((w.GroupId, w.Sample)) + 1);
            if (attempts >= MaxAttempts)
            {
                // Kept out of the queue (and known, so a group's re-offer does not bring it back): the run is over.
                string reason = $"a batch of {failed.Count} samples (groups {string.Join(", ", failed.Select(w => w.GroupId).Distinct().Take(3))}) " +
                                $"failed {attempts} times; the last sampler said: {failure.Reason}";
                Context.GetLogger().Error("work queue: {0}", reason);
                pubSub.Tell(new Publish(EntityIds.RunTopic(runId), new RunFaulted(runId, reason)));
                return;
            }
            Enqueue(failed);
            ScheduleDispatch();
        });
        Receive<DispatchTick>(_ => Dispatch());
        Receive<Terminated>(t =>
        {
            idle.Remove(t.ActorRef);
            if (inFlight.Remove(t.ActorRef, out var lost)) { Enqueue(lost); ScheduleDispatch(); }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    // The samples still waiting leave the metric with the queue (it is a singleton: a new one starts elsewhere).
    protected override void PostStop()
    {
        EngineMetrics.QueuedSamples.Add(-pending.Count, EngineMetrics.Run(runId));
        base.PostStop();
    }

    // Every sample that waits goes through here, so the pending-samples metric follows the list.
    private void Enqueue(IReadOnlyCollection<SampleWork> work)
    {
        pending.AddRange(work);
        EngineMetrics.QueuedSamples.Add(work.Count, EngineMetrics.Run(runId));
    }

    /// <summary>The next batch: the lowest pending policy version, in group and sample order, at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<SampleWork> NextBatch(IReadOnlyList<SampleWork> pending, int max)
    {
        if (pending.Count == 0) return [];
        long version = pending.Min(w => w.PolicyVersion);
        return pending.Where(w => w.PolicyVersion == version)
            .OrderBy(w => w.GroupId, StringComparer.Ordinal).ThenBy(w => w.Sample)
            .Take(max).ToArray();
    }

    // Debounced: every new offer restarts the linger, a full batch goes at once, and the cap bounds the wait. In a
    // synchronous run a step's work goes once the whole step is offered, or at the gather timeout.
    private void ScheduleDispatch()
    {
        if (pending.Count == 0 || idle.Count == 0) return;
        if (pending.Count >= idle.Values.Max() || StepGathered()) { Timers.Cancel(nameof(DispatchTick)); Dispatch(); return; }
        var now = DateTime.UtcNow;
        waitingSince ??= now;
        var left = waitingSince.Value + (samplesPerStep is null ? settings.BatchLinger * LingerCap : settings.StepGatherTimeout) - now;
        var delay = samplesPerStep is not null || left < settings.BatchLinger ? left : settings.BatchLinger;
        if (delay <= TimeSpan.Zero) { Timers.Cancel(nameof(DispatchTick)); Dispatch(); return; }
        Timers.StartSingleTimer(nameof(DispatchTick), new DispatchTick(), delay);
    }

    // Whether every sample of the oldest waiting step has been offered (synchronous runs only). Versions below it are
    // forgotten: their work has all gone out.
    private bool StepGathered()
    {
        if (samplesPerStep is not int expected) return false;
        long version = pending.Min(w => w.PolicyVersion);
        foreach (long old in offered.Keys.Where(v => v < version).ToArray()) offered.Remove(old);
        return offered.GetValueOrDefault(version) >= expected;
    }

    // The waiting work is shared out over the free samplers, so that a step's generation runs on every rollout node at
    // once instead of queueing behind whichever sampler asked first; a single sampler takes it all.
    private void Dispatch()
    {
        waitingSince = null;
        var free = idle.ToArray();
        for (int i = 0; i < free.Length && pending.Count > 0; i++)
        {
            var (sampler, max) = free[i];
            long version = pending.Min(w => w.PolicyVersion);
            int ofVersion = pending.Count(w => w.PolicyVersion == version);
            int samplersLeft = free.Length - i;
            int share = (ofVersion + samplersLeft - 1) / samplersLeft;
            var batch = NextBatch(pending, Math.Min(max, share));
            foreach (var work in batch) pending.Remove(work);
            EngineMetrics.QueuedSamples.Add(-batch.Count, EngineMetrics.Run(runId));
            idle.Remove(sampler);
            inFlight[sampler] = batch;
            sampler.Tell(new WorkBatch(batch));
        }
    }
}
