using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Cli.Pipeline;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 pipeline [--run-id ID]</c>: the DeepSeek-R1 recipe as one job (hocon/pipeline.conf): the base model
/// evaluated, cold start, reasoning RL, rejection sampling and SFT from the base model, alignment RL, distillation,
/// and R1-Zero for comparison. A pipeline entity journals every stage's start and end with its output's hash and
/// figures; the same command resumes the first unfinished stage (a bare re-run picks the newest unfinished
/// pipeline of the data dir), and a finished stage is never run again.
/// </summary>
public static class PipelineCommand
{
    /// <summary>Exit code when a stage failed (journaled; the same command tries it again).</summary>
    public const int StageFailedExitCode = 5;

    private static readonly Option<string?> RunId = new("--run-id") { Description = "Pipeline id (default: resume the newest unfinished pipeline of the data dir, else a new one named by the clock)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("pipeline", "The DeepSeek-R1 recipe end to end: cold start, reasoning RL, rejection sampling + SFT, alignment RL, distillation, and R1-Zero beside it")
            { RunId };
        command.WithConfigOptions();
        command.SetAction((parse, _) => Execute(parse));
        return command;
    }

    private static async Task<int> Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        var settings = PipelineSettings.From(config);
        string dataDir = Path.GetFullPath(config.GetString("r1.data-dir"));

        // What every stage's command is given: the same configuration file, --set list and data dir as this one.
        var shared = new List<string> { "--data-dir", dataDir };
        if (parse.GetValue(CommonOptions.Config) is { } file) shared.AddRange(["--config", file]);
        var sets = parse.GetValue(CommonOptions.Set) ?? [];
        foreach (var set in sets) shared.AddRange(["--set", set]);
        // The pipeline's own command host holds the configured pbm port; a stage's r1 train takes any free one.
        shared.AddRange(["--set", "r1.pbm.port=0"]);

        // Every input before any stage: a missing model or file, a stage's unknown key, an order the recipe cannot run.
        PipelineRunner.CheckInputs(settings, stageSets => R1Config.Load(parse.GetValue(CommonOptions.Config), [.. sets, .. stageSets]));

        await using var journal = await PipelineJournal.OpenAsync(dataDir);
        string id = parse.GetValue(RunId) is { } given ? TrainCommand.CheckRunId(given) : await Newest(journal, dataDir, output) ?? $"{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        string folder = Path.Combine(PipelineJournal.Folder(dataDir), id);
        var runner = new PipelineRunner(settings, id, folder, shared, output);
        Directory.CreateDirectory(folder);
        using var folderLock = RunLock.Take(folder, id);

        string configText = ConfigRenderer.Render(config);
        // What the stages compute with: every r1 setting but where pbm listens (which changes nothing they produce).
        string settingsText = string.Concat(ConfigRenderer.Render(config, "r1").Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith("r1.pbm.", StringComparison.Ordinal)).Select(line => line + "\n"));
        string fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(settingsText)));
        var status = await journal.Open(id, settings.Plan.Stages, fingerprint, configText);
        await using var pbm = StartPbm(journal, id, config, dataDir, output);
        var done = status.Completed.ToDictionary(c => c.Stage);
        if (status.State == PipelineStates.Finished)
        {
            output.WriteLine($"r1 pipeline: pipeline {id} is finished; report {PipelineReport.Write(folder, id, settings.Plan, status.Completed, finished: true)}");
            return 0;
        }
        output.WriteLine($"r1 pipeline: pipeline {id}{(done.Count > 0 || status.Attempt > 0 ? " (resuming)" : "")}, stages {string.Join(" -> ", settings.Plan.Stages)}; outputs in {folder}");
        if (status.Failure.Length > 0) output.WriteLine($"r1 pipeline: its last attempt failed: {status.Failure}; trying again");
        PipelineReport.Write(folder, id, settings.Plan, status.Completed, finished: false);

        // Ctrl+C reaches the stage's command too (one process group): let it stop, then stop here without a failure.
        bool interrupted = false;
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => { signal.Cancel = true; interrupted = true; });
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; interrupted = true; });

        var stages = settings.Plan.Stages;
        for (int i = 0; i < stages.Count; i++)
        {
            string stage = stages[i];
            if (done.ContainsKey(stage)) continue;
            status = await BeginUnlessPaused(journal, id, stage, pbm, dataDir, output, () => interrupted);
            if (interrupted)
            {
                error.WriteLine($"r1 pipeline: interrupted while paused; resume with: {ResumeCommand(parse, id)}");
                return 130;
            }
            output.WriteLine($"r1 pipeline: stage {i + 1}/{stages.Count} {stage}{(status.Attempt > 1 ? $" (attempt {status.Attempt})" : "")}");
            var clock = Stopwatch.StartNew();
            StageOutcome outcome;
            try { outcome = runner.Run(stage, done); }
            catch (PipelineStageException e)
            {
                if (interrupted)
                {
                    error.WriteLine($"r1 pipeline: interrupted during stage {stage}; resume with: {ResumeCommand(parse, id)}");
                    return 130;
                }
                await journal.Fail(id, stage, e.Message);
                error.WriteLine($"r1 pipeline: {e.Message}");
                error.WriteLine($"r1 pipeline: the failure is journaled and the finished stages are kept; the same command tries stage {stage} again: {ResumeCommand(parse, id)}");
                return StageFailedExitCode;
            }
            var completed = new PipelineStageCompleted(id, stage, outcome.Output, PipelineRunner.Hash(outcome.Output), outcome.Figures, clock.Elapsed.TotalSeconds);
            status = await journal.Complete(completed);
            done[stage] = completed;
            PipelineReport.Write(folder, id, settings.Plan, status.Completed, finished: false);
            output.WriteLine($"r1 pipeline: stage {stage} done in {clock.Elapsed.TotalMinutes:F1} min: {Describe(completed)}");
        }
        status = await journal.Finish(id);
        string report = PipelineReport.Write(folder, id, settings.Plan, status.Completed, finished: true);
        output.WriteLine($"r1 pipeline: finished {stages.Count} stages; report {report}");
        var json = new JsonObject { ["pipeline_id"] = id, ["report"] = report, ["stages_csv"] = Path.Combine(folder, "stages.csv") };
        foreach (var c in status.Completed.Where(c => PipelineStages.MakesCheckpoint(c.Stage)))
            json[c.Stage] = Finite(PipelineReport.Figure(c, "pass_at_1"));
        output.WriteLine(json.ToJsonString(HumanJson.Compact));
        return 0;
    }

    // A paused pipeline waits here (its pause is journaled, so it also holds after a restart) until pbm resumes it.
    private static async Task<PipelineStatus> BeginUnlessPaused(PipelineJournal journal, string id, string stage, PbmHost? pbm, string dataDir,
        TextWriter output, Func<bool> interrupted)
    {
        bool said = false;
        while (true)
        {
            var status = await journal.Status(id);
            if (status.State != PipelineStates.Paused)
            {
                try { return await journal.Begin(id, stage); }
                catch (PipelineRefusedException)
                {
                    // Paused between the look and the start: wait like any paused pipeline; anything else is a real refusal.
                    if ((await journal.Status(id)).State != PipelineStates.Paused) throw;
                    continue;
                }
            }
            if (!said)
            {
                string client = pbm is null ? "(no pbm host: set r1.pbm.enabled)" : $"./r1 pbm {pbm.Endpoint} --data-dir {dataDir} pipeline resume";
                output.WriteLine($"r1 pipeline: pipeline {id} is paused after {status.Completed.Count} stages; stage {stage} starts when it is resumed: {client}");
                said = true;
            }
            if (interrupted()) return status;
            await Task.Delay(500);
        }
    }

    // The pipeline's pbm command host (pipeline list/status/pause/resume); a taken port costs the host, not the pipeline.
    private static PbmHost? StartPbm(PipelineJournal journal, string id, R1Config config, string dataDir, TextWriter output)
    {
        var settings = PbmSettings.From(config.Root);
        if (!settings.Enabled) return null;
        try
        {
            var pbm = PbmHost.StartForPipeline(journal, id, settings, dataDir);
            output.WriteLine($"r1 pipeline: pbm command host on {pbm.Endpoint}, token from {pbm.Token.Source} (./r1 pbm {pbm.Endpoint} --data-dir {dataDir} pipeline status)");
            return pbm;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            output.WriteLine($"r1 pipeline: no pbm command host: cannot listen on {settings.Host}:{settings.Port} ({e.Message}); set r1.pbm.port (0 = any free port)");
            return null;
        }
    }

    // The newest pipeline of the data dir that has not finished, said aloud; null when there is none.
    private static async Task<string?> Newest(PipelineJournal journal, string dataDir, TextWriter output)
    {
        foreach (string pipelineId in PipelineJournal.Ids(dataDir))
        {
            var status = await journal.Status(pipelineId);
            if (status.State is PipelineStates.Running or PipelineStates.Failed or PipelineStates.Paused)
            {
                output.WriteLine($"r1 pipeline: resuming {pipelineId}, the newest unfinished pipeline in {dataDir} (--run-id NAME starts another)");
                return pipelineId;
            }
        }
        return null;
    }

    private static string Describe(PipelineStageCompleted c) =>
        string.Join(", ", c.Figures.Where(f => f.Name is "pass_at_1" or "kept" or "judged" or "response_tokens_mean" or "rl_steps")
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Name} {f.Value:0.###}")));

    private static JsonNode? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string ResumeCommand(ParseResult parse, string id)
    {
        var words = new List<string> { "./r1", "pipeline", "--run-id", id };
        if (parse.GetValue(CommonOptions.Config) is { } file) words.AddRange(["--config", file]);
        foreach (var set in parse.GetValue(CommonOptions.Set) ?? []) words.AddRange(["--set", set]);
        if (parse.GetValue(CommonOptions.DataDir) is { } dir) words.AddRange(["--data-dir", dir]);
        return string.Join(' ', words.Select(w => w.Contains(' ') ? $"'{w}'" : w));
    }
}
