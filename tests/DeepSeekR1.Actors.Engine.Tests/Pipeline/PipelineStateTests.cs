using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;

namespace DeepSeekR1.Actors.Engine.Tests.Pipeline;

/// <summary>The pipeline's state as a pure fold of its events: the same function recovery and the persist callbacks use.</summary>
public class PipelineStateTests
{
    private static readonly string[] Stages = ["base", "cold-start", "reasoning-rl"];

    private static PipelineState Fold(params IPersisted[] events) => events.Aggregate(PipelineState.New, (s, e) => s.Apply(e));

    private static PipelineStageCompleted Done(string stage) => new("p", stage, $"/out/{stage}", "ab", [new PipelineFigure("pass_at_1", 0.5)], 12);

    [Fact]
    public void Stages_fold_in_order_and_the_next_stage_is_the_first_unfinished_one()
    {
        var s = Fold(new PipelineStarted("p", Stages, "fp", "cfg"));
        Assert.Equal((PipelineStates.Running, "base", ""), (s.State, s.NextStage, s.Current));

        s = s.Apply(new PipelineStageStarted("p", "base", 1));
        Assert.Equal("base", s.Current);
        s = s.Apply(Done("base"));
        Assert.Equal(("", "cold-start"), (s.Current, s.NextStage));

        s = s.Apply(new PipelineStageStarted("p", "cold-start", 1)).Apply(new PipelineStageFailed("p", "cold-start", 1, "boom"));
        Assert.Equal((PipelineStates.Failed, "", "cold-start"), (s.State, s.Current, s.NextStage));
        Assert.Contains("boom", s.Failure);

        // A new attempt clears the failure; its number is journaled, not counted here.
        s = s.Apply(new PipelineStageStarted("p", "cold-start", 2));
        Assert.Equal((PipelineStates.Running, "", 2), (s.State, s.Failure, s.Attempts["cold-start"]));
        s = s.Apply(Done("cold-start")).Apply(new PipelineStageStarted("p", "reasoning-rl", 1)).Apply(Done("reasoning-rl"));
        Assert.Null(s.NextStage);
        s = s.Apply(new PipelineFinished("p", 3));
        Assert.Equal(PipelineStates.Finished, s.State);

        var status = s.Status("p");
        Assert.Equal(["base", "cold-start", "reasoning-rl"], status.Completed.Select(c => c.Stage));
        Assert.Equal(Stages, status.Stages);
    }

    [Fact]
    public void A_pause_holds_through_a_stage_that_ends_and_a_resume_returns_to_running_or_failed()
    {
        var s = Fold(new PipelineStarted("p", Stages, "fp", "cfg"), new PipelineStageStarted("p", "base", 1), new PipelinePaused("p", 0));
        Assert.Equal((PipelineStates.Paused, "base"), (s.State, s.Current));
        s = s.Apply(Done("base"));
        Assert.Equal((PipelineStates.Paused, "cold-start"), (s.State, s.NextStage));
        Assert.Equal(PipelineStates.Running, s.Apply(new PipelineResumed("p", 1)).State);
        // Paused while a stage failed: resuming brings the failure back, for the next attempt to clear.
        var failed = Fold(new PipelineStarted("p", Stages, "fp", "cfg"), new PipelineStageStarted("p", "base", 1), new PipelinePaused("p", 0),
            new PipelineStageFailed("p", "base", 1, "boom"));
        Assert.Equal(PipelineStates.Paused, failed.State);
        Assert.Equal(PipelineStates.Failed, failed.Apply(new PipelineResumed("p", 0)).State);
    }

    [Fact]
    public void An_event_of_another_entity_is_refused_not_ignored()
    {
        var e = Assert.Throws<ArgumentException>(() => PipelineState.New.Apply(new RunPaused("r", 1)));
        Assert.Contains(nameof(RunPaused), e.Message);
    }
}
