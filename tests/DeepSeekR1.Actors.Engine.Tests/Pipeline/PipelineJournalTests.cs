using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Tests.Pipeline;

/// <summary>The pipeline entity on a real SQLite journal: what it journals survives a restart, and it refuses what would break the recipe's order.</summary>
public class PipelineJournalTests
{
    private static readonly string[] Stages = ["base", "cold-start", "reasoning-rl"];

    private static PipelineStageCompleted Done(string stage, double pass) => new("p", stage, $"/out/{stage}", "ab12", [new PipelineFigure("pass_at_1", pass)], 3.5);

    [Fact]
    public async Task A_reopened_pipeline_recovers_its_finished_stages_and_the_stage_in_progress_starts_again_as_a_new_attempt()
    {
        using var dir = new TempDir();
        await using (var journal = await PipelineJournal.OpenAsync(dir.Path))
        {
            var status = await journal.Open("p", Stages, "fp", "cfg");
            Assert.Equal((PipelineStates.Running, 0), (status.State, status.Completed.Count));
            await journal.Begin("p", "base");
            await journal.Complete(Done("base", 0.25));
            status = await journal.Begin("p", "cold-start");
            Assert.Equal(("cold-start", 1), (status.Current, status.Attempt));
            // Killed here, mid-stage: nothing more reaches the journal.
        }
        Assert.True(File.Exists(Path.Combine(PipelineJournal.Folder(dir.Path), EngineConfig.JournalFileName)));

        await using (var journal = await PipelineJournal.OpenAsync(dir.Path))
        {
            var status = await journal.Open("p", Stages, "fp", "cfg");
            Assert.Equal(Done("base", 0.25).Figures, status.Completed.Single().Figures);
            Assert.Equal(("cold-start", 1), (status.Current, status.Attempt));
            // A finished stage cannot run again; the one in progress starts again with the next attempt number.
            await Assert.ThrowsAsync<PipelineRefusedException>(() => journal.Begin("p", "base"));
            status = await journal.Begin("p", "cold-start");
            Assert.Equal(2, status.Attempt);
            await journal.Complete(Done("cold-start", 0.5));
            await Assert.ThrowsAsync<PipelineRefusedException>(() => journal.Finish("p"));
            await journal.Begin("p", "reasoning-rl");
            status = await journal.Complete(Done("reasoning-rl", 0.75));
            status = await journal.Finish("p");
            Assert.Equal(PipelineStates.Finished, status.State);
            Assert.Equal([0.25, 0.5, 0.75], status.Completed.Select(c => c.Figures[0].Value));
        }
    }

    [Fact]
    public async Task Stages_out_of_order_and_a_changed_configuration_are_refused_with_the_reason()
    {
        using var dir = new TempDir();
        await using var journal = await PipelineJournal.OpenAsync(dir.Path);
        await journal.Open("q", Stages, "fp", "cfg");
        var skipped = await Assert.ThrowsAsync<PipelineRefusedException>(() => journal.Begin("q", "cold-start"));
        Assert.Contains("next unfinished stage is 'base'", skipped.Message);
        var notRunning = await Assert.ThrowsAsync<PipelineRefusedException>(() => journal.Complete(Done("base", 0) with { PipelineId = "q" }));
        Assert.Contains("not in progress", notRunning.Message);
        var changed = await Assert.ThrowsAsync<PipelineRefusedException>(() => journal.Open("q", Stages, "another", "cfg"));
        Assert.Contains("another configuration", changed.Message);
        var empty = await Assert.ThrowsAsync<PipelineRefusedException>(() => journal.Open("r", [], "fp", "cfg"));
        Assert.Contains("one or more stages", empty.Message);
        // Pipelines of one data dir are apart: q's journal is untouched by r's refusal.
        Assert.Equal(PipelineStates.Running, (await journal.Status("q")).State);
        Assert.Equal(PipelineStates.New, (await journal.Status("r")).State);
    }
}
