using Akka.Actor;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Tests;

public sealed class WorkQueueTests : TestKit
{
    public WorkQueueTests() : base(Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(EngineConfig.Default), "queue") { }

    private static SampleWork Work(string group, int sample, long version = 0) => new(group, sample, [1, 2], (ulong)sample, version, $"ckpt-{version}");

    private IActorRef Queue(int lingerMilliseconds = 20, IActorRef? pubSub = null, int? samplesPerStep = null, int gatherMilliseconds = 2000)
    {
        var settings = EngineSettings.From(Sys.Settings.Config) with
        {
            BatchLinger = TimeSpan.FromMilliseconds(lingerMilliseconds), StepGatherTimeout = TimeSpan.FromMilliseconds(gatherMilliseconds),
        };
        var mediator = pubSub ?? CreateTestProbe().Ref;
        return Sys.ActorOf(Props.Create(() => new WorkQueue(settings, "run", mediator, samplesPerStep)));
    }

    [Fact]
    public void Work_that_fails_on_every_attempt_faults_the_run_instead_of_cycling_forever()
    {
        var pubSub = CreateTestProbe();
        var queue = Queue(pubSub: pubSub.Ref);
        var sampler = CreateTestProbe();
        queue.Tell(new OfferWork([Work("g0", 0), Work("g0", 1)]));
        for (int attempt = 1; attempt < WorkQueue.MaxAttempts; attempt++)
        {
            queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
            Assert.Equal(2, sampler.ExpectMsg<WorkBatch>().Work.Count);
            queue.Tell(new WorkFailed("slot-0", "prompt (900 tokens) + max-new-tokens (128) exceeds max-position-embeddings (512)"), sampler.Ref);
            pubSub.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        }
        queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
        sampler.ExpectMsg<WorkBatch>();
        queue.Tell(new WorkFailed("slot-0", "prompt (900 tokens) + max-new-tokens (128) exceeds max-position-embeddings (512)"), sampler.Ref);

        var published = pubSub.ExpectMsg<Akka.Cluster.Tools.PublishSubscribe.Publish>();
        Assert.Equal(Sharding.EntityIds.RunTopic("run"), published.Topic);
        var fault = Assert.IsType<RunFaulted>(published.Message);
        Assert.Contains($"failed {WorkQueue.MaxAttempts} times", fault.Reason);
        Assert.Contains("exceeds max-position-embeddings", fault.Reason);
        // The doomed work is not handed out again.
        queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
        sampler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_failure_then_a_success_starts_the_count_again()
    {
        var pubSub = CreateTestProbe();
        var queue = Queue(pubSub: pubSub.Ref);
        var sampler = CreateTestProbe();
        for (int round = 0; round < 2 * WorkQueue.MaxAttempts; round++)
        {
            queue.Tell(new OfferWork([Work($"g{round}", 0)]));
            queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
            sampler.ExpectMsg<WorkBatch>();
            // Each piece of work fails once and then succeeds: transient faults never add up to a run fault.
            queue.Tell(new WorkFailed("slot-0", "transient"), sampler.Ref);
            queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
            sampler.ExpectMsg<WorkBatch>();
        }
        pubSub.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_batch_holds_the_lowest_version_in_group_and_sample_order()
    {
        var pending = new[] { Work("r/s000001-g0001", 1, 1), Work("r/s000000-g0001", 0), Work("r/s000000-g0000", 2), Work("r/s000000-g0000", 1) };
        var batch = WorkQueue.NextBatch(pending, 2);
        Assert.Equal([("r/s000000-g0000", 1), ("r/s000000-g0000", 2)], batch.Select(w => (w.GroupId, w.Sample)));
        Assert.Empty(WorkQueue.NextBatch([], 4));
    }

    [Fact]
    public void Offers_are_batched_deduplicated_and_a_failed_batch_is_handed_out_again()
    {
        var queue = Queue();
        var sampler = CreateTestProbe();
        queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
        queue.Tell(new OfferWork([Work("g0", 0), Work("g0", 1)]));
        queue.Tell(new OfferWork([Work("g1", 0), Work("g0", 1)]));   // g0/1 again: already queued
        var batch = sampler.ExpectMsg<WorkBatch>();
        Assert.Equal([("g0", 0), ("g0", 1), ("g1", 0)], batch.Work.Select(w => (w.GroupId, w.Sample)));

        queue.Tell(new OfferWork([Work("g0", 0)]));                   // in flight: not queued twice
        queue.Tell(new WorkFailed("slot-0", "device error"), sampler.Ref);
        queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
        var again = sampler.ExpectMsg<WorkBatch>();
        Assert.Equal(batch.Work.Select(w => (w.GroupId, w.Sample)), again.Work.Select(w => (w.GroupId, w.Sample)));

        // A finished batch is done: asking again gives nothing until new work is offered.
        queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
        sampler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        queue.Tell(new OfferWork([Work("g2", 0)]));
        Assert.Equal("g2", Assert.Single(sampler.ExpectMsg<WorkBatch>().Work).GroupId);
    }

    [Fact]
    public void Work_of_a_sampler_that_dies_goes_to_another()
    {
        var queue = Queue();
        var doomed = CreateTestProbe();
        queue.Tell(new RequestWork("slot-0", 8), doomed.Ref);
        queue.Tell(new OfferWork([Work("g0", 0)]));
        doomed.ExpectMsg<WorkBatch>();
        Sys.Stop(doomed.Ref);
        var survivor = CreateTestProbe();
        queue.Tell(new RequestWork("slot-1", 8), survivor.Ref);
        Assert.Equal(("g0", 0), survivor.ExpectMsg<WorkBatch>().Work.Select(w => (w.GroupId, w.Sample)).Single());
    }

    [Fact]
    public void Offers_that_keep_coming_within_the_linger_share_one_batch()
    {
        var queue = Queue(lingerMilliseconds: 400);
        var sampler = CreateTestProbe();
        queue.Tell(new RequestWork("slot-0", 8), sampler.Ref);
        // Three offers spread over more than one linger, each within a linger of the previous one.
        queue.Tell(new OfferWork([Work("g0", 0)]));
        Thread.Sleep(250);
        queue.Tell(new OfferWork([Work("g1", 0)]));
        Thread.Sleep(250);
        queue.Tell(new OfferWork([Work("g2", 0)]));
        var batch = sampler.ExpectMsg<WorkBatch>(TimeSpan.FromSeconds(5));
        Assert.Equal(["g0", "g1", "g2"], batch.Work.Select(w => w.GroupId));
    }

    [Fact]
    public void A_full_batch_goes_out_without_waiting_for_the_linger()
    {
        var queue = Queue(lingerMilliseconds: 60_000);
        var sampler = CreateTestProbe();
        queue.Tell(new RequestWork("slot-0", 2), sampler.Ref);
        queue.Tell(new OfferWork([Work("g0", 0), Work("g0", 1), Work("g0", 2)]));
        var batch = sampler.ExpectMsg<WorkBatch>(TimeSpan.FromSeconds(10));
        Assert.Equal([0, 1], batch.Work.Select(w => w.Sample));
    }

    [Fact]
    public void A_steps_work_is_split_between_the_free_samplers()
    {
        var queue = Queue();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        queue.Tell(new RequestWork("slot-0", 256), first.Ref);
        queue.Tell(new RequestWork("slot-1", 256), second.Ref);
        queue.Tell(new OfferWork([.. Enumerable.Range(0, 3).Select(s => Work("g0", s)), .. Enumerable.Range(0, 4).Select(s => Work("g1", s))]));
        var a = first.ExpectMsg<WorkBatch>(TimeSpan.FromSeconds(5)).Work;
        var b = second.ExpectMsg<WorkBatch>(TimeSpan.FromSeconds(5)).Work;
        Assert.Equal(4, a.Count);
        Assert.Equal(3, b.Count);
        Assert.Equal(7, a.Concat(b).Select(w => (w.GroupId, w.Sample)).Distinct().Count());
    }

    // Before: the first offers went out alone after five lingers (here 100 ms), and the step was generated in two
    // batches whose split, and so every row's arithmetic, depended on timing.
    [Fact]
    public void A_synchronous_steps_offers_wait_for_the_whole_step_and_go_as_one_batch()
    {
        var queue = Queue(lingerMilliseconds: 20, samplesPerStep: 4);
        var sampler = CreateTestProbe();
        queue.Tell(new RequestWork("slot-0", 256), sampler.Ref);
        queue.Tell(new OfferWork([Work("s0-g1", 0), Work("s0-g1", 1)]));
        sampler.ExpectNoMsg(TimeSpan.FromMilliseconds(400));   // four lingers' caps go by: still waiting for the step
        queue.Tell(new OfferWork([Work("s0-g0", 0), Work("s0-g0", 1)]));
        var batch = sampler.ExpectMsg<WorkBatch>(TimeSpan.FromSeconds(1));
        Assert.Equal([("s0-g0", 0), ("s0-g0", 1), ("s0-g1", 0), ("s0-g1", 1)], batch.Work.Select(w => (w.GroupId, w.Sample)));

        // The next step (version 1) is gathered afresh.
        queue.Tell(new RequestWork("slot-0", 256), sampler.Ref);
        queue.Tell(new OfferWork([Work("s1-g0", 0, version: 1), Work("s1-g0", 1, version: 1), Work("s1-g1", 0, version: 1)]));
        sampler.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        queue.Tell(new OfferWork([Work("s1-g1", 1, version: 1)]));
        Assert.Equal(4, sampler.ExpectMsg<WorkBatch>(TimeSpan.FromSeconds(1)).Work.Count);
    }

    [Fact]
    public void A_step_that_never_completes_its_offers_goes_out_at_the_gather_timeout()
    {
        var queue = Queue(lingerMilliseconds: 20, samplesPerStep: 8, gatherMilliseconds: 600);
        var sampler = CreateTestProbe();
        queue.Tell(new RequestWork("slot-0", 256), sampler.Ref);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        queue.Tell(new OfferWork([Work("s0-g0", 0), Work("s0-g0", 1)]));   // a resumed step: only what it still needs
        var batch = sampler.ExpectMsg<WorkBatch>(TimeSpan.FromSeconds(5));
        Assert.Equal(2, batch.Work.Count);
        Assert.True(clock.ElapsedMilliseconds >= 500, $"went out after {clock.ElapsedMilliseconds} ms, before the gather timeout");
    }
}
