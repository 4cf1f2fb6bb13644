using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>The run's state as a pure fold of its events: the same function recovery and the persist callbacks use.</summary>
public class RunStateTests
{
    private static readonly MetricsData Metrics = new(2, 4, 1, 0.5, 0.1, 0.25, 0, 0.01, 0, 0, 1, null, 12, 16, 0.3, 1e-6, 0.2, 1.5);

    private static RunState Fold(params IPersisted[] events) => events.Aggregate(RunState.New, (s, e) => s.Apply(e));

    [Fact]
    public void A_run_folds_from_new_through_steps_pause_and_finish()
    {
        var started = new RunStarted("r", 7, 2, 2, 4, "arithmetic:2", "cfg");
        var s = Fold(started, new StepStarted("r", 0, 0));
        Assert.Equal((RunStates.Running, 0L, 0L), (s.State, s.Completed, s.Current));
        Assert.Same(started, s.Config);

        s = s.Apply(new StepCompleted("r", 0, Metrics, "ck1"));
        Assert.Equal((1L, -1L, "ck1"), (s.Completed, s.Current, s.Checkpoint));
        s = s.Apply(new RunPaused("r", 1));
        Assert.Equal(RunStates.Paused, s.State);
        Assert.False(s.IsOver);
        s = Fold([started, new StepStarted("r", 0, 0), new StepCompleted("r", 0, Metrics, "ck1"), new RunPaused("r", 1), new RunResumed("r", 1),
            new StepStarted("r", 1, 1), new StepCompleted("r", 1, Metrics, "ck2"), new RunFinished("r", 2, "ck2")]);
        Assert.Equal((RunStates.Finished, 2L, -1L, "ck2"), (s.State, s.Completed, s.Current, s.Checkpoint));
        Assert.True(s.IsOver);
        Assert.Equal(new RunCompleted("r", 2, "ck2", RunStates.Finished, null), s.Completion("r"));

        // Extended with more steps: running again, nothing else forgotten.
        s = s.Apply(new RunExtended("r", 2, 4));
        Assert.Equal((RunStates.Running, 2L, "ck2"), (s.State, s.Completed, s.Checkpoint));
    }

    [Fact]
    public void A_completion_of_an_older_step_keeps_the_step_in_progress()
    {
        var s = Fold(new RunStarted("r", 1, 5, 1, 2, "t", ""), new StepStarted("r", 3, 3), new StepCompleted("r", 2, Metrics, "ck"));
        Assert.Equal(3, s.Current);
        Assert.Equal(3, s.Completed);
    }

    [Fact]
    public void Restarts_count_and_a_failure_is_kept_with_its_reason()
    {
        var s = Fold(new RunStarted("r", 1, 5, 1, 2, "t", ""), new RunRestarted("r", 1, 3, "SIGSEGV at step 2", 1), new RunRestarted("r", 2, 3, "SIGKILL", 1),
            new RunFailed("r", 1, "the update of step 2 failed 3 times"));
        Assert.Equal(2, s.Restarts);
        Assert.Equal((RunStates.Failed, "the update of step 2 failed 3 times"), (s.State, s.Failure));
        Assert.True(s.IsOver);
        Assert.Equal(new RunStatus("r", RunStates.Failed, 0, -1, "", 2), s.Status("r"));
    }

    [Fact]
    public void A_snapshot_holds_the_whole_state()
    {
        var s = Fold(new RunStarted("r", 1, 5, 1, 2, "t", ""), new StepStarted("r", 0, 0), new StepCompleted("r", 0, Metrics, "ck"),
            new StepStarted("r", 1, 1), new RunRestarted("r", 1, 3, "x", 1), new RunStopped("r", 1));
        Assert.Equal(s, RunState.From(s.ToSnapshot("r")));
    }

    [Fact]
    public void An_event_that_is_not_the_runs_is_an_error_not_ignored()
    {
        var e = Assert.Throws<ArgumentException>(() => RunState.New.Apply(new GroupRejected("r", 0, 0, "g", "bad")));
        Assert.Contains("GroupRejected is not an event of a run", e.Message);
    }
}

/// <summary>The learner's journaled state as a pure fold.</summary>
public class LearnerStateTests
{
    private static readonly MetricsData Metrics = new(2, 4, 1, 0.5, 0.1, 0.25, 0, 0.01, 0, 0, 1, null, 12, 16, 0.3, 1e-6, 0.2, 1.5);

    [Fact]
    public void Applied_steps_and_refused_groups_fold_and_survive_a_snapshot()
    {
        var s = new IPersisted[]
        {
            new StepAdvantages("r", 0, [new GroupAdvantagesData(0, [1.0, -1.0])]),
            new StepApplied("r", 0, Metrics, "ck1", "aa"), new GroupRejected("r", 1, 0, "r/s000001-g0000", "token id 99999 is outside the vocabulary"),
            new StepApplied("r", 1, Metrics, "ck2", "bb"),
        }.Aggregate(LearnerState.New, (state, e) => state.Apply(e));
        Assert.Equal(2, s.StepsApplied);   // a step's advantages are a record of the update, not a step of their own
        Assert.Equal(["ck1", "ck2"], s.Applied.Select(a => a.Checkpoint));
        Assert.Equal("token id 99999 is outside the vocabulary", s.Rejected["r/s000001-g0000"].Reason);

        var back = LearnerState.From(s.ToSnapshot("r", "ck0"));
        Assert.Equal(s.Applied, back.Applied);
        Assert.Equal(s.Rejected.Values, back.Rejected.Values);
        // A snapshot from before groups could be refused has no list at all.
        Assert.Empty(LearnerState.From(new LearnerSnapshot("r", [.. s.Applied], "ck0")).Rejected);
        Assert.Throws<ArgumentException>(() => s.Apply(new RunPaused("r", 2)));
    }
}
