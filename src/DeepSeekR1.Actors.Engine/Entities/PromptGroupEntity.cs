using Akka.Actor;
using Akka.Cluster.Sharding;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// One question at one step. Offers its missing samples to the work queue, has each sampled output scored by the
/// verifier of its kind, journals each scored output once, and when all G are in fixes the group-normalised advantages
/// and hands the group to the learner, again every resend interval, until the learner acknowledges it. After a crash it
/// recovers its journal and offers only the samples it has not recorded. Every repeated StartGroup (the run's driver
/// repeats it) offers the missing samples again: the work queue is a singleton that forgets its offers when its node
/// dies, and it ignores offers it still holds. Samples already generated and out for scoring are not among the missing:
/// a repeat sends them to the verifier again instead (scoring is pure and recording is idempotent), so a repeat that
/// lands between a batch's generation and its journaling never pays for a second generation.
/// </summary>
internal sealed class PromptGroupEntity : RunTaggedActor, IWithTimers
{
    private sealed record ResendTick;

    /// <summary>Whom a group talks to: the work queue, the verifiers' region and the learner.</summary>
    public sealed record Peers(IActorRef WorkQueue, IActorRef Verifiers, IActorRef Learner);

    private readonly EngineRun run;
    private readonly TimeSpan resendInterval;
    private readonly Peers peers;
    private readonly string groupId;
    private GroupStarted? started;
    private readonly SortedDictionary<int, RolloutData> rollouts = [];
    private readonly SortedDictionary<int, SampledOutput> scoring = [];   // generated, sent to the verifier, not journaled yet
    private GroupFinished? finished;
    private bool acknowledged;

    public PromptGroupEntity(string groupId, EngineRun run, TimeSpan resendInterval, Peers peers) : base(run.RunId)
    {
        this.run = run;
        this.resendInterval = resendInterval;
        this.peers = peers;
        this.groupId = groupId;

        Recover<GroupStarted>(e => started = e);
        Recover<RolloutRecorded>(e => rollouts[e.Rollout.Sample] = e.Rollout);
        Recover<GroupFinished>(e => finished = e);
        Recover<GroupAcknowledged>(_ => acknowledged = true);

        Command<StartGroup>(OnStart);
        Command<RolloutsSampled>(OnSampled);
        Command<RolloutsVerified>(OnVerified);
        Command<ResendTick>(_ => Deliver());
        Command<GroupAccepted>(_ =>
        {
            Timers.Cancel(nameof(ResendTick));
            if (acknowledged) return;
            PersistTagged(new GroupAcknowledged(groupId, started!.Step), _ =>
            {
                acknowledged = true;
                // Done for good: free the memory (a restart recovers "acknowledged" and does nothing).
                Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            });
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => EntityIds.GroupPersistenceId(groupId);

    /// <summary>The sample indices this group still needs (what a recovering group offers again).</summary>
    public static IReadOnlyList<int> Missing(int groupSize, IReadOnlyCollection<int> recorded) =>
        Enumerable.Range(0, groupSize).Where(s => !recorded.Contains(s)).ToArray();

    private void OnStart(StartGroup start)
    {
        if (started is not null) { Continue(); return; }
        var prompt = PromptFormat.Encode(run.Tokenizer, start.Question.ToTaskItem());
        PersistTagged(new GroupStarted(start.RunId, start.Step, start.Index, start.Question, prompt, start.GroupSize, start.PolicyVersion, start.Checkpoint), e =>
        {
            started = e;
            Continue();
        });
    }

    private void Continue()
    {
        if (acknowledged) return;
        if (finished is not null) { Deliver(); return; }
        var s = started!;
        if (scoring.Count > 0) Verify(scoring.Values.ToArray());
        var work = Missing(s.GroupSize, [.. rollouts.Keys, .. scoring.Keys])
            .Select(i => new SampleWork(groupId, i, s.PromptIds, GroupSampler.SampleSeed(run.Seed, s.Step, s.Index, i), s.PolicyVersion, s.Checkpoint))
            .ToArray();
        if (work.Length > 0) peers.WorkQueue.Tell(new OfferWork(work));
        else if (scoring.Count == 0) Finish();   // every sample was recorded before a crash that came before GroupFinished
    }

    private void OnSampled(RolloutsSampled sampled)
    {
        if (started is null || finished is not null) return;
        var fresh = sampled.Outputs.Where(o => !rollouts.ContainsKey(o.Sample) && !scoring.ContainsKey(o.Sample)).DistinctBy(o => o.Sample).ToArray();
        if (fresh.Length == 0) return;
        foreach (var output in fresh) scoring[output.Sample] = output;
        Verify(fresh);
    }

    private void Verify(IReadOnlyList<SampledOutput> outputs) =>
        peers.Verifiers.Tell(EntityIds.To(EntityIds.Verifier(started!.Question.Kind, groupId, run.Code?.Settings.VerifierShards ?? 1),
            new VerifyRollouts(groupId, started.Question, outputs)));

    // All of a batch's outputs go to the journal in one write; each sample index is recorded once, however often a
    // sample arrives (a re-sent batch after a sampler failure, a duplicate message).
    private void OnVerified(RolloutsVerified verified)
    {
        if (started is null || finished is not null) return;
        var events = verified.Rollouts.Where(r => !rollouts.ContainsKey(r.Sample)).DistinctBy(r => r.Sample)
            .Select(r => new RolloutRecorded(groupId, r)).ToArray();
        if (events.Length == 0) return;
        PersistAllTagged(events, e =>
        {
            rollouts[e.Rollout.Sample] = e.Rollout;
            scoring.Remove(e.Rollout.Sample);
            if (rollouts.Count == started.GroupSize) Finish();
        });
    }

    private void Finish()
    {
        var s = started!;
        // Every output is scored: the group is complete. Its advantages are the learner's to compute (the configured
        // scaling may need the whole step), so none are journaled here.
        PersistTagged(new GroupFinished(groupId, s.Step, s.Index, Advantages: []), e =>
        {
            finished = e;
            Deliver();
        });
    }

    private void Deliver()
    {
        if (acknowledged || finished is null) return;
        var s = started!;
        var data = new GroupData(s.Step, s.Index, s.Question, s.PromptIds, rollouts.Values.ToArray(), finished.Advantages);
        peers.Learner.Tell(new DeliverGroup(groupId, data));
        Timers.StartSingleTimer(nameof(ResendTick), new ResendTick(), resendInterval);
    }
}
