using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Today's run, learner and prompt-group entities recovering from a copy of a journal an earlier build wrote
/// (<see cref="JournalFixture"/>), with probes in place of their peers. Each fixture runs twice: as committed, where
/// recovery starts from the latest snapshots, and with its snapshots deleted, where it replays every event.
/// </summary>
public abstract class JournalCompatibilityRecoveryTests : JournaledTestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);
    private readonly JournalFixture fixture;

    protected JournalCompatibilityRecoveryTests(JournalFixture fixture, bool keepSnapshots)
        : base("fixture", data => Prepare(fixture, keepSnapshots, data)) => this.fixture = fixture;

    private static void Prepare(JournalFixture fixture, bool keepSnapshots, string data)
    {
        fixture.CopyJournalTo(data);
        if (!keepSnapshots) Assert.Equal(fixture.Snapshots, JournalFile.Execute(data, "DELETE FROM snapshot"));
    }

    private sealed record Probes(TestProbe Learner, TestProbe Groups, TestProbe PubSub, TestProbe Queue, TestProbe Verifiers);

    // The run as the command that wrote the journal described it: a resumed run must ask for the same seed, task and shape.
    private EntityHarness Context(out Probes probes)
    {
        probes = new Probes(CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var run = TinyRuns.Run(DataPath, fixture.RunId);
        run = run with
        {
            Seed = fixture.Seed,
            Task = TaskCatalog.Get(fixture.Task),
            Grpo = run.Grpo with { Task = fixture.Task, Steps = fixture.Steps, PromptsPerStep = fixture.PromptsPerStep, GroupSize = fixture.GroupSize },
        };
        return new EntityHarness(run, EngineSettings.From(Sys.Settings.Config))
        {
            Learner = probes.Learner.Ref, Groups = probes.Groups.Ref, PubSub = probes.PubSub.Ref, WorkQueue = probes.Queue.Ref,
            Verifiers = probes.Verifiers.Ref,
        };
    }

    [Fact]
    public void The_run_recovers_finished_with_every_step_and_starts_nothing_when_started_again()
    {
        var context = Context(out var probes);
        var run = Sys.ActorOf(context.RunProps());
        run.Tell(new GetRunStatus(fixture.RunId));
        Assert.Equal(new RunStatus(fixture.RunId, RunStates.Finished, fixture.Steps, -1, fixture.FinalCheckpoint, 0), ExpectMsg<RunStatus>());

        // What rerunning the command that wrote the journal does: the run says it is finished and starts no step.
        run.Tell(new StartRun(fixture.RunId));
        var completed = (RunCompleted)probes.PubSub.ExpectMsg<Publish>().Message;
        Assert.Equal(new RunCompleted(fixture.RunId, fixture.Steps, fixture.FinalCheckpoint, RunStates.Finished), completed);
        probes.Learner.ExpectNoMsg(Quiet);
        probes.Groups.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void The_learner_recovers_every_applied_step_and_restores_from_the_last_checkpoint_the_journal_names()
    {
        // The checkpoints are not committed (Fixtures/*/SOURCE.md): the learner recovers its steps from the journal,
        // then fails to open the last one's checkpoint and says which step and folder it needed.
        Assert.False(Directory.Exists(fixture.FinalCheckpoint), $"{Path.GetFullPath(fixture.FinalCheckpoint)} exists; this test needs it absent");
        var context = Context(out var probes);
        Sys.ActorOf(context.LearnerProps());
        var fault = (RunFaulted)probes.PubSub.ExpectMsg<Publish>(TimeSpan.FromSeconds(30)).Message;
        Assert.StartsWith($"the learner cannot restore run {fixture.RunId} after step {fixture.Steps}: ", fault.Reason);
        Assert.Contains(fixture.FinalCheckpoint, fault.Reason);
    }

    [Fact]
    public void An_acknowledged_group_recovers_and_does_nothing_when_started_again()
    {
        string id = EntityIds.Group(fixture.RunId, fixture.Steps - 1, 0);
        var context = Context(out var probes);
        var group = Sys.ActorOf(context.GroupProps(id));
        group.Tell(StartOf(Journaled(id).OfType<GroupStarted>().Single()));
        probes.Queue.ExpectNoMsg(Quiet);
        probes.Verifiers.ExpectNoMsg(TimeSpan.Zero);
        probes.Learner.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void A_finished_group_whose_acknowledgement_is_missing_delivers_its_journaled_rollouts_and_advantages()
    {
        // As if the process died between the group's GroupFinished and the learner's acknowledgement.
        string id = EntityIds.Group(fixture.RunId, fixture.Steps - 1, fixture.PromptsPerStep - 1);
        string persistenceId = $"group-{id}";
        JournalFile.Execute(DataPath, $"DELETE FROM tags WHERE ordering_id IN (SELECT ordering FROM journal WHERE persistence_id = '{persistenceId}' AND manifest = 'GroupAcknowledged.v1')");
        Assert.Equal(1, JournalFile.Execute(DataPath, $"DELETE FROM journal WHERE persistence_id = '{persistenceId}' AND manifest = 'GroupAcknowledged.v1'"));
        var journaled = Journaled(id);
        var started = journaled.OfType<GroupStarted>().Single();
        var finished = journaled.OfType<GroupFinished>().Single();
        var rollouts = journaled.OfType<RolloutRecorded>().Select(r => r.Rollout).OrderBy(r => r.Sample).ToArray();
        Assert.Equal(fixture.GroupSize, rollouts.Length);

        var context = Context(out var probes);
        var group = Sys.ActorOf(context.GroupProps(id));
        group.Tell(StartOf(started));
        var delivered = probes.Learner.ExpectMsg<DeliverGroup>();
        var expected = new DeliverGroup(id, new GroupData(started.Step, started.Index, started.Question, started.PromptIds, rollouts, finished.Advantages));
        // Records holding lists compare lists by reference: compare their encodings.
        Assert.Equal(System.Text.Encoding.UTF8.GetString(ContractCodec.Encode(expected)), System.Text.Encoding.UTF8.GetString(ContractCodec.Encode(delivered)));
        // And the learner can take it: every journaled string maps back to the RL core's enums (finish reason, answer kind).
        Assert.Equal(fixture.GroupSize, delivered.Group.ToRolloutGroup().Rollouts.Count);
        probes.Queue.ExpectNoMsg(TimeSpan.Zero);
    }

    private IReadOnlyList<object> Journaled(string groupId) =>
        JournalFile.Read(DataPath).Where(r => r.PersistenceId == $"group-{groupId}").Select(r => r.Event).ToArray();

    // What the run sends a group of its step (and repeats after a restart).
    private static StartGroup StartOf(GroupStarted s) => new(s.RunId, s.Step, s.Index, s.Question, s.GroupSize, s.PolicyVersion, s.Checkpoint);
}

/// <summary>The 1a7b266 journal, recovering from its snapshots.</summary>
public sealed class JournalCompatibilityRecoveryOf1a7b266() : JournalCompatibilityRecoveryTests(JournalFixture.Of1a7b266, keepSnapshots: true);

/// <summary>The 1a7b266 journal with its snapshots deleted: recovery replays every event.</summary>
public sealed class JournalCompatibilityRecoveryOf1a7b266WithoutSnapshots() : JournalCompatibilityRecoveryTests(JournalFixture.Of1a7b266, keepSnapshots: false);
