using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>
/// The <c>pipeline</c> palette of an <c>r1 pipeline</c> process: the data dir's pipelines, one pipeline's stages and
/// figures, and pause and resume of the one this process runs. A pause is journaled by the pipeline entity, so it holds
/// across a restart of the command: the stage in progress finishes, and no new stage starts until resumed.
/// </summary>
internal static class PipelinePalette
{
    public static PbmPalette Create(PipelineJournal journal, string hosted, string dataDirectory)
    {
        PbmOptionInfo id = new("id", $"The pipeline id (default: {hosted}, the pipeline this process runs)");
        string Id(PbmInvocation i) => i.Option("id") ?? hosted;
        return new("pipeline", "R1 pipelines: list, status, pause, resume",
        [
            new(new("list", "Every pipeline of the data dir with its state, and which one this process runs", []), async invocation =>
            {
                var table = new PbmTable("pipeline", "state", "stages_done", "stages", "current", "hosted_here");
                foreach (string pipelineId in PipelineJournal.Ids(dataDirectory).Append(hosted).Distinct())
                {
                    var status = await journal.Status(pipelineId);
                    table.Add(pipelineId, status.State, status.Completed.Count, status.Stages.Count, Blank(status.Current), pipelineId == hosted);
                }
                await invocation.Send(table.ToFrame());
            }),
            new(new("status", "A pipeline's stages: state, attempt, output and evaluation figures of each", [id]), async invocation =>
            {
                string pipelineId = Id(invocation);
                var status = await journal.Status(pipelineId);
                if (status.State == PipelineStates.New) throw new PbmException($"no pipeline '{pipelineId}' in the journal (pipeline list shows them)");
                var table = new PbmTable("stage", "state", "pass_at_1", "language_mixing", "response_tokens_mean", "minutes", "output");
                foreach (string stage in status.Stages)
                {
                    var done = status.Completed.FirstOrDefault(c => c.Stage == stage);
                    string state = done is not null ? "done" : stage == status.Current ? $"running (attempt {status.Attempt})" : "waiting";
                    table.Add(stage, state, Figure(done, "pass_at_1"), Figure(done, "language_mixing"), Figure(done, "response_tokens_mean"),
                        done is null ? null : Math.Round(done.Seconds / 60, 2), done?.Output);
                }
                string note = $"pipeline {pipelineId}: {status.State}" + (status.Failure.Length > 0 ? $"; last failure: {status.Failure}" : "");
                await invocation.Send(table.ToFrame(note));
            }),
            new(new("pause", "Start no new stage: the stage in progress finishes and is journaled (holds across restarts)", [id]),
                invocation => Lifecycle(invocation, Id(invocation), hosted, journal.Pause,
                    "paused: the stage in progress finishes and is journaled; no new stage starts until 'pipeline resume'")),
            new(new("resume", "Continue a paused pipeline with its next stage", [id]),
                invocation => Lifecycle(invocation, Id(invocation), hosted, journal.Resume, "running: the pipeline continues with its next stage")),
        ]);
    }

    private static async Task Lifecycle(PbmInvocation invocation, string pipelineId, string hosted, Func<string, Task<PipelineStatus>> command, string note)
    {
        if (pipelineId != hosted)
            throw new PbmException($"pipeline '{pipelineId}' is not run by this process (it runs '{hosted}'); connect to the r1 pipeline that runs it");
        var after = await command(pipelineId);
        var table = new PbmTable("pipeline", "state", "stages_done", "current");
        table.Add(pipelineId, after.State, after.Completed.Count, Blank(after.Current));
        await invocation.Send(table.ToFrame(note));
    }

    private static double? Figure(PipelineStageCompleted? stage, string name) =>
        stage?.Figures.LastOrDefault(f => f.Name == name)?.Value is { } v && double.IsFinite(v) ? Math.Round(v, 4) : null;

    private static string? Blank(string text) => text.Length == 0 ? null : text;
}
