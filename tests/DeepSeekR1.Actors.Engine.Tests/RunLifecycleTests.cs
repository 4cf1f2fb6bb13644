using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>The Run entity against a real journal, with probes for the learner, the groups and the pub-sub mediator.</summary>
public sealed class RunLifecycleTests() : JournaledTestKit("lifecycle")
{
    private (IActorRef Run, TestProbe Learner, TestProbe Groups, TestProbe PubSub) Start(ulong seed = TinyRuns.Seed, int steps = 2, EngineRestart? restart = null)
    {
        var (learner, groups, pubsub) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var run = TinyRuns.Run(DataPath, "life");
        var context = new EntityHarness(run with { Seed = seed, Grpo = run.Grpo with { Steps = steps }, Restart = restart }, EngineSettings.From(Sys.Settings.Config))
        {
            Learner = learner.Ref, Groups = groups.Ref, PubSub = pubsub.Ref,
        };
        return (Sys.ActorOf(context.RunProps()), learner, groups, pubsub);
    }

    private static StepApplied Applied(long step) =>
        new("life", step, new MetricsData(2, 6, 1, 0.5, 0.1, 0.5, 0, 0, 0, 0, 1, 1, 5, 9, 0.3, 1e-3, 0.01, 1), $"ckpt-{step + 1}", "sha");

    [Fact]
    public void Pause_lets_the_step_in_flight_finish_and_starts_no_new_one_until_resumed_and_stop_ends_the_run()
    {
        var (run, learner, groups, pubsub) = Start();
        run.Tell(new StartRun("life"));
        learner.ExpectMsg<QueryLearner>();
        learner.Reply(new LearnerProgress(0, "ckpt-0", []));
        // The learner hears that step 0 opened, so it times the step from here.
        Assert.Equal(0, learner.ExpectMsg<StepOpened>().Step);
        var started = groups.ReceiveN(2).Cast<ShardingEnvelope>().ToArray();
        Assert.Equal([EntityIds.Group("life", 0, 0), EntityIds.Group("life", 0, 1)], started.Select(e => e.EntityId));

        run.Tell(new PauseRun("life"));
        Assert.Equal(RunStates.Paused, ExpectMsg<RunStatus>().State);

        // Step 0, in flight when paused, completes and is reported; step 1 does not start.
        run.Tell(new LearnerProgress(1, "ckpt-1", [Applied(0)]), learner.Ref);
        var report = pubsub.ExpectMsg<Publish>();
        Assert.Equal(0, ((RunStepReported)report.Message).Step);
        groups.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        run.Tell(new GetRunStatus("life"));
        var paused = ExpectMsg<RunStatus>();
        Assert.Equal((RunStates.Paused, 1L), (paused.State, paused.StepsCompleted));

        // Resume asks the learner where it is and starts step 1 with the version-1 checkpoint.
        run.Tell(new ResumeRun("life"));
        Assert.Equal(RunStates.Running, ExpectMsg<RunStatus>().State);
        Assert.Equal(0, learner.ExpectMsg<QueryLearner>().AfterStep);
        learner.Reply(new LearnerProgress(1, "ckpt-1", []));
        // Step 1 opens only now, after the pause: the learner's clock for it starts here, not when step 0 was applied.
        Assert.Equal(1, learner.ExpectMsg<StepOpened>().Step);
        var step1 = groups.ReceiveN(2).Cast<ShardingEnvelope>().Select(e => (StartGroup)e.Message).ToArray();
        Assert.All(step1, g => Assert.Equal((1L, "ckpt-1"), (g.Step, g.Checkpoint)));

        run.Tell(new StopRun("life"));
        Assert.Equal(RunStates.Stopped, ExpectMsg<RunStatus>().State);
        var ended = (RunCompleted)pubsub.ExpectMsg<Publish>().Message;
        Assert.Equal((RunStates.Stopped, 1), (ended.State, ended.Steps));

        // Stopped is for good: a restarted run entity reports it stopped at once.
        Watch(run);
        Sys.Stop(run);
        ExpectTerminated(run);
        var (again, againLearner, _, againPubSub) = Start();
        again.Tell(new StartRun("life"));
        Assert.Equal(RunStates.Stopped, ((RunCompleted)againPubSub.ExpectMsg<Publish>().Message).State);
        againLearner.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_finished_run_started_with_more_steps_is_extended_and_goes_on_from_its_last_step()
    {
        var (run, learner, groups, pubsub) = Start(steps: 1);
        run.Tell(new StartRun("life"));
        learner.ExpectMsg<QueryLearner>();
        learner.Reply(new LearnerProgress(0, "ckpt-0", []));
        groups.ReceiveN(2);
        run.Tell(new LearnerProgress(1, "ckpt-1", [Applied(0)]), learner.Ref);
        pubsub.ExpectMsg<Publish>();   // step 0 reported
        Assert.Equal(RunStates.Finished, ((RunCompleted)pubsub.ExpectMsg<Publish>().Message).State);
        Watch(run);
        Sys.Stop(run);
        ExpectTerminated(run);

        // The same run id with one step more: extended, and step 1 starts from the version-1 checkpoint.
        var (again, againLearner, againGroups, _) = Start(steps: 2);
        again.Tell(new StartRun("life"));
        Assert.Equal(0, againLearner.ExpectMsg<QueryLearner>().AfterStep);
        againLearner.Reply(new LearnerProgress(1, "ckpt-1", []));
        var step1 = againGroups.ReceiveN(2).Cast<ShardingEnvelope>().Select(e => (StartGroup)e.Message).ToArray();
        Assert.All(step1, g => Assert.Equal((1L, "ckpt-1"), (g.Step, g.Checkpoint)));
        var events = await JournalProbe.AwaitEvents(Sys, "run-life", 6);
        Assert.Equal(1, Assert.Single(events.OfType<RunExtended>()).StepsCompleted);
    }

    [Fact]
    public void A_run_resumed_with_another_seed_is_rejected_with_the_setting_named()
    {
        var (run, learner, _, _) = Start();
        run.Tell(new StartRun("life"));
        learner.ExpectMsg<QueryLearner>();
        Watch(run);
        Sys.Stop(run);
        ExpectTerminated(run);

        var (again, againLearner, _, pubsub) = Start(seed: 5);
        again.Tell(new StartRun("life"));
        var rejected = (RunRejected)pubsub.ExpectMsg<Publish>().Message;
        Assert.Contains("r1.seed", rejected.Reason);
        againLearner.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_restarted_engine_journals_its_restart_and_status_counts_it()
    {
        var (run, learner, _, _) = Start();
        run.Tell(new StartRun("life"));
        learner.ExpectMsg<QueryLearner>();
        Watch(run);
        Sys.Stop(run);
        ExpectTerminated(run);

        var (again, againLearner, _, _) = Start(restart: new EngineRestart(1, 3, "SIGSEGV at step 1"));
        again.Tell(new StartRun("life"));
        againLearner.ExpectMsg<QueryLearner>();
        again.Tell(new StartRun("life"));   // the run watcher drives StartRun again and again: one restart is one event
        againLearner.ExpectMsg<QueryLearner>();
        again.Tell(new GetRunStatus("life"));
        Assert.Equal(1, ExpectMsg<RunStatus>().Restarts);
        var events = await JournalProbe.AwaitEvents(Sys, "run-life", 2);
        var restarted = Assert.Single(events.OfType<RunRestarted>());
        Assert.Equal((1, 3, "SIGSEGV at step 1", 0L), (restarted.Restart, restarted.MaxRestarts, restarted.Cause, restarted.StepsCompleted));
    }

    [Fact]
    public void A_failed_run_ends_with_the_reason_and_stays_failed_after_a_restart()
    {
        var (run, learner, groups, pubsub) = Start();
        run.Tell(new StartRun("life"));
        learner.ExpectMsg<QueryLearner>();
        learner.Reply(new LearnerProgress(0, "ckpt-0", []));
        groups.ReceiveN(2);
        run.Tell(new FailRun("life", "the learner refused group g (step 1, group 0): it has 2 outputs"));
        var ended = (RunCompleted)pubsub.ExpectMsg<Publish>().Message;
        Assert.Equal((RunStates.Failed, "the learner refused group g (step 1, group 0): it has 2 outputs"), (ended.State, ended.Reason));
        Watch(run);
        Sys.Stop(run);
        ExpectTerminated(run);

        var (again, againLearner, _, againPubSub) = Start();
        again.Tell(new StartRun("life"));
        var still = (RunCompleted)againPubSub.ExpectMsg<Publish>().Message;
        Assert.Equal(RunStates.Failed, still.State);
        Assert.Contains("refused group g", still.Reason);
        againLearner.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
