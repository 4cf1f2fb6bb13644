using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;

namespace DeepSeekR1.Actors.Engine.Tests.Replay;

public class RunProjectionTests
{
    private long offset;

    private JournalEvent Event(string persistenceId, object e) =>
        new(persistenceId, ++offset, offset, null, ContractCodec.ManifestOf(e.GetType()), e);

    private static MetricsData Metrics(double accuracy) =>
        new(1, 2, 1, accuracy, 0, accuracy, 0, null, 0, 0, 1, null, 3, 3, 0, 1e-4, 0, 1);

    private static RolloutRecorded Rollout(int sample, bool correct, string text = "wait", long version = 0) =>
        new("r/s000000-g0000", new RolloutData(sample, [1, 2, 3, 4], [0, 0, 0, 0], FinishReason.Stop, text, correct ? 1 : 0, correct, true, null, version));

    [Fact]
    public void A_steps_time_splits_into_sampling_and_learning_by_the_journals_clock()
    {
        var projection = new RunProjection();
        var question = new QuestionData("q", "1+1", "2", AnswerKind.Math, 2, "en", []);
        var t0 = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
        JournalEvent At(string id, object e, double seconds) => Event(id, e) with { Timestamp = t0.AddSeconds(seconds) };
        projection.Apply(At("group-r/s000000-g0000", new GroupStarted("r", 0, 0, question, [1], 2, 0, "c"), 0));
        projection.Apply(At("group-r/s000000-g0001", new GroupStarted("r", 0, 1, question, [1], 2, 0, "c"), 0.5));
        projection.Apply(At("group-r/s000000-g0000", Rollout(0, true), 2));
        projection.Apply(At("group-r/s000000-g0001", Rollout(0, true) with { GroupId = "r/s000000-g0001" }, 3.25));
        projection.Apply(At("learner-r", new StepApplied("r", 0, Metrics(1), "c1", "sha"), 4));
        // A step whose events carry no time (an old journal) has no split.
        projection.Apply(Event("group-r/s000001-g0000", new GroupStarted("r", 1, 0, question, [1], 2, 1, "c")));
        projection.Apply(Event("learner-r", new StepApplied("r", 1, Metrics(1), "c2", "sha")));

        var steps = projection.Steps();
        Assert.Equal((3.25, 0.75), steps[0].Phases);
        Assert.Null(steps[1].Phases);
    }

    [Fact]
    public void Staleness_is_how_many_versions_behind_the_step_each_sample_was_drawn()
    {
        var projection = new RunProjection();
        var question = new QuestionData("q", "1+1", "2", AnswerKind.Math, 2, "en", []);
        // Step 0, on-policy: every sample from version 0.
        projection.Apply(Event("group-r/s000000-g0000", new GroupStarted("r", 0, 0, question, [1], 2, 0, "c")));
        projection.Apply(Event("group-r/s000000-g0000", Rollout(0, true)));
        projection.Apply(Event("group-r/s000000-g0000", Rollout(1, true)));
        projection.Apply(Event("learner-r", new StepApplied("r", 0, Metrics(1), "c1", "sha")));
        // Step 3: one sample from version 3, two from version 1 (two versions behind).
        projection.Apply(Event("group-r/s000003-g0000", new GroupStarted("r", 3, 0, question, [1], 3, 1, "c")));
        projection.Apply(Event("group-r/s000003-g0000", Rollout(0, true, version: 3)));
        projection.Apply(Event("group-r/s000003-g0000", Rollout(1, true, version: 1)));
        projection.Apply(Event("group-r/s000003-g0000", Rollout(2, true, version: 1)));
        projection.Apply(Event("group-r/s000003-g0000", Rollout(2, true, version: 1)));   // journaled twice, counted once
        projection.Apply(Event("learner-r", new StepApplied("r", 3, Metrics(1), "c4", "sha")));
        // Step 4 has no journaled sample: nothing to say.
        projection.Apply(Event("learner-r", new StepApplied("r", 4, Metrics(1), "c5", "sha")));

        var steps = projection.Steps();
        Assert.Equal((0.0, 0L), steps[0].Staleness);
        Assert.Equal((4 / 3.0, 2L), steps[1].Staleness);
        Assert.Null(steps[2].Staleness);
    }

    [Fact]
    public void A_sample_journaled_twice_counts_once_and_a_step_is_a_row_only_once_applied()
    {
        var projection = new RunProjection();
        const string group = "group-r/s000000-g0000";
        var question = new QuestionData("q", "1+1", "2", AnswerKind.Math, 2, "en", []);
        Assert.False(projection.Apply(Event(group, new GroupStarted("r", 0, 0, question, [1], 2, 0, "c"))));
        projection.Apply(Event(group, Rollout(0, true)));
        projection.Apply(Event(group, Rollout(0, true)));      // the same sample again: not a third completion
        projection.Apply(Event(group, Rollout(1, false)));
        Assert.Empty(projection.Steps());

        Assert.True(projection.Apply(Event("learner-r", new StepApplied("r", 0, Metrics(0.5), "c1", "sha"))));
        // The run repeating the learner's step is not a new row, and does not replace the learner's metrics.
        Assert.False(projection.Apply(Event("run-r", new StepCompleted("r", 0, Metrics(0.9), "c1"))));
        var step = Assert.Single(projection.Steps());
        Assert.Equal(0.5, step.Metrics.Accuracy);
        Assert.Equal(2, step.Analysis.Completions);
        Assert.Equal(0.5, step.Analysis.Accuracy);
        Assert.Equal(0.5, step.Analysis.AccuracyByLevel[2]);
        Assert.Equal(2 * 1000.0 / 8, step.Analysis.WordPer1000[0]);   // "wait" twice in 8 tokens
        Assert.Null(projection.EndState);
    }

    [Fact]
    public void A_runs_step_record_without_metrics_adds_no_row_and_the_learners_event_gives_the_figures()
    {
        var projection = new RunProjection();
        Assert.False(projection.Apply(Event("run-r", new StepCompleted("r", 0, null, "c1"))));
        Assert.Empty(projection.Steps());
        Assert.True(projection.Apply(Event("learner-r", new StepApplied("r", 0, Metrics(0.5), "c1", "sha"))));
        Assert.Equal(0.5, Assert.Single(projection.Steps()).Metrics.Accuracy);
    }

    [Fact]
    public void The_runs_step_record_stands_in_when_the_learners_is_missing_and_a_stop_ends_the_run()
    {
        var projection = new RunProjection();
        Assert.True(projection.Apply(Event("run-r", new StepCompleted("r", 0, Metrics(0.25), "c1"))));
        Assert.Equal(0.25, Assert.Single(projection.Steps()).Metrics.Accuracy);
        Assert.True(double.IsNaN(projection.Steps()[0].Analysis.Accuracy));   // no completion journaled for it
        projection.Apply(Event("learner-r", new StepApplied("r", 0, Metrics(0.75), "c1", "sha")));
        Assert.Equal(0.75, Assert.Single(projection.Steps()).Metrics.Accuracy);
        projection.Apply(Event("run-r", new RunPaused("r", 1)));
        Assert.Equal((RunStates.Paused, null), (projection.State, projection.EndState));
        projection.Apply(Event("run-r", new RunStopped("r", 1)));
        Assert.Equal((RunStates.Stopped, RunStates.Stopped), (projection.State, projection.EndState));
        Assert.Equal(4, projection.Events);
    }

    [Fact]
    public void An_asynchronous_steps_own_staleness_record_wins_over_the_journaled_samples()
    {
        var projection = new RunProjection();
        var question = new QuestionData("q", "1+1", "2", AnswerKind.Math, 2, "en", []);
        projection.Apply(Event("group-r/s000001-g0000", new GroupStarted("r", 1, 0, question, [1], 2, 0, "c")));
        projection.Apply(Event("group-r/s000001-g0000", Rollout(0, true, version: 0)));
        projection.Apply(Event("group-r/s000001-g0000", Rollout(1, true, version: 1)));
        // Resumed with a bound of 0, the learner dropped the sample of version 0 and trained on the other (lag 0); it
        // waited 0.25 s of its 1 s step. Counting the journaled samples would say a mean lag of 0.5.
        projection.Apply(Event("learner-r", new StalenessRecorded("r", 1, 0, 0, 0, 1, 0.25)));
        projection.Apply(Event("learner-r", new StepApplied("r", 1, Metrics(0.5), "c2", "sha")));
        var step = Assert.Single(projection.Steps());
        Assert.Equal((0.0, 0L), step.Staleness);
        Assert.Equal(1, step.StaleDropped);
        Assert.Equal(0.25, step.LearnerIdleShare);
    }

    [Fact]
    public void A_moe_steps_expert_load_joins_its_row_and_a_dense_step_has_none()
    {
        var projection = new RunProjection();
        var load = new ExpertLoadRecorded("r", 0, 1.25, [new ExpertLayerLoadData(1, [5, 3], [0.001, -0.001])]);
        Assert.False(projection.Apply(Event("learner-r", load)));
        projection.Apply(Event("learner-r", new StepApplied("r", 0, Metrics(0.5), "c1", "sha")));
        projection.Apply(Event("learner-r", new StepApplied("r", 1, Metrics(0.5), "c2", "sha")));
        var steps = projection.Steps();
        Assert.Equal(1.25, steps[0].ExpertLoad!.MaxOverMean);
        Assert.Equal([5L, 3L], steps[0].ExpertLoad!.Layers[0].Tokens);
        Assert.Null(steps[1].ExpertLoad);
    }
}
