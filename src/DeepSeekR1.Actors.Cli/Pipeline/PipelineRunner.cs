using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Cli.Pipeline;

/// <summary>A stage's command failed; the message says which command, how it ended, and its last lines.</summary>
public sealed class PipelineStageException(string message) : Exception(message);

/// <summary>What a finished stage produced: its checkpoint folder or data file, and its figures.</summary>
public sealed record StageOutcome(string Output, IReadOnlyList<PipelineFigure> Figures);

/// <summary>
/// Runs one stage of a pipeline: the r1 commands it is made of, each a child process (<see cref="StageProcess"/>),
/// with the pipeline's shared options (its --config, --set and --data-dir), then the stage's own <c>set</c>. Every
/// stage that makes a checkpoint ends with an evaluation of it on the held-out split (the report's figures). A stage
/// started again after a crash redoes its commands: an RL stage's run resumes from its journal (its run id is the
/// pipeline's and the stage's), an SFT or sampling command starts over and replaces its half-written output.
/// </summary>
public sealed class PipelineRunner(PipelineSettings settings, string pipelineId, string folder, IReadOnlyList<string> shared, TextWriter console)
{
    /// <summary>The folder every output of the pipeline goes in (<c>DATA_DIR/pipelines/ID</c>).</summary>
    public string Folder => folder;

    /// <summary>Where a stage's checkpoint goes.</summary>
    public string CheckpointOf(string stage) => Path.Combine(folder, "checkpoints", stage);

    /// <summary>Where a stage's data file goes.</summary>
    public string DataOf(string name) => Path.Combine(folder, "data", name + ".jsonl");

    /// <summary>The run id of an RL stage's run.</summary>
    public string RunIdOf(string stage) => $"{pipelineId}-{stage}";

    private string LogOf(string stage) => Path.Combine(folder, "logs", stage + ".log");

    /// <summary>The base model's folder, resolved as the CLI resolves checkpoints.</summary>
    public string BaseModel => RepositoryPaths.Resolve(settings.Plan.Base)
        ?? throw new ConfigException($"r1.pipeline.plan.base: '{settings.Plan.Base}' does not exist");

    /// <summary>
    /// Refuses, before any stage runs, a pipeline that names a missing base model, data file or student checkpoint,
    /// or whose stage settings do not load (an unknown key in a stage's <c>set</c>): each named with its stage and key.
    /// </summary>
    /// <exception cref="ConfigException">What is wrong, by key.</exception>
    public static void CheckInputs(PipelineSettings settings, Func<IReadOnlyList<string>, object> loadWith)
    {
        PipelineStages.CheckOrder(settings.Plan.Stages);
        string Checkpoint(string key, string path)
        {
            string resolved = RepositoryPaths.Resolve(path) ?? throw new ConfigException($"{key}: checkpoint folder '{path}' does not exist");
            return File.Exists(Path.Combine(resolved, "config.json")) ? resolved
                : throw new ConfigException($"{key}: '{resolved}' is not a checkpoint folder (no config.json)");
        }
        Checkpoint("r1.pipeline.plan.base", settings.Plan.Base);
        var stages = settings.Plan.Stages;
        void DataFile(string stage, string key, string path)
        {
            if (!stages.Contains(stage) || path.Length == 0) return;
            if (RepositoryPaths.Resolve(path) is not { } found || !File.Exists(found))
                throw new ConfigException($"{key} (stage {stage}): data file '{path}' does not exist");
        }
        DataFile(PipelineStages.ColdStart, "r1.pipeline.cold-start.data", settings.ColdStart.Data);
        DataFile(PipelineStages.RejectionSft, "r1.pipeline.rejection-sft.general-data", settings.RejectionSft.GeneralData);
        if (stages.Contains(PipelineStages.Distill) && settings.Distill.StudentInit is not ("base" or "random"))
            Checkpoint("r1.pipeline.distill.student-init", settings.Distill.StudentInit);
        foreach (var (stage, key, sets) in StageSets(settings))
            if (stages.Contains(stage))
            {
                try { loadWith(sets); }
                catch (ConfigException e) { throw new ConfigException($"{key} (stage {stage}): {e.Message}"); }
            }
    }

    private static IEnumerable<(string Stage, string Key, IReadOnlyList<string> Sets)> StageSets(PipelineSettings settings) =>
    [
        (PipelineStages.ColdStart, "r1.pipeline.cold-start.set", settings.ColdStart.Set),
        (PipelineStages.ReasoningRl, "r1.pipeline.reasoning-rl.set", settings.ReasoningRl.Set),
        (PipelineStages.ReasoningRlNoLanguage, "r1.pipeline.reasoning-rl-no-language.set", settings.ReasoningRlNoLanguage.Set),
        (PipelineStages.RejectionSampling, "r1.pipeline.rejection-sampling.set", settings.RejectionSampling.Set),
        (PipelineStages.RejectionSft, "r1.pipeline.rejection-sft.set", settings.RejectionSft.Set),
        (PipelineStages.AlignmentRl, "r1.pipeline.alignment-rl.set", settings.AlignmentRl.Set),
        (PipelineStages.Distill, "r1.pipeline.distill.set", settings.Distill.Set),
        (PipelineStages.R1Zero, "r1.pipeline.r1-zero.set", settings.R1Zero.Set),
    ];

    /// <summary>Runs <paramref name="stage"/>, given the stages already done (by name), and returns what it produced.</summary>
    /// <exception cref="PipelineStageException">One of its commands failed.</exception>
    public StageOutcome Run(string stage, IReadOnlyDictionary<string, PipelineStageCompleted> done)
    {
        string from = PipelineStages.StartsFrom(stage).Select(done.GetValueOrDefault).FirstOrDefault(c => c is not null)?.Output ?? BaseModel;
        return stage switch
        {
            PipelineStages.Base => Evaluated(stage, BaseModel, []),
            PipelineStages.ColdStart => ColdStart(),
            PipelineStages.ReasoningRl => Rl(stage, from, settings.ReasoningRl),
            PipelineStages.ReasoningRlNoLanguage => Rl(stage, from, settings.ReasoningRlNoLanguage),
            PipelineStages.RejectionSampling => Sample(stage, from, settings.RejectionSampling.Samples, settings.RejectionSampling.Limit,
                settings.RejectionSampling.Set, DataOf("rejection-sampling")),
            PipelineStages.RejectionSft => RejectionSft(done[PipelineStages.RejectionSampling].Output),
            PipelineStages.AlignmentRl => Rl(stage, from, settings.AlignmentRl),
            PipelineStages.Distill => Distill(from),
            PipelineStages.R1Zero => Rl(stage, BaseModel, settings.R1Zero),
            _ => throw new ConfigException($"r1.pipeline.plan.stages: '{stage}' is not a stage"),
        };
    }

    private StageOutcome ColdStart()
    {
        const string stage = PipelineStages.ColdStart;
        var cold = settings.ColdStart;
        string data = cold.Data.Length > 0 ? RepositoryPaths.Resolve(cold.Data)! : DataOf("cold-start");
        if (cold.Data.Length == 0)
        {
            var args = new List<string> { "data", "cold-start", "--task", cold.Task, "--count", Text(cold.Count), "--out", data };
            // Only Chinese questions have reasoning to mix: an English-only cold start ignores the share.
            if (cold.Task.StartsWith(DeepSeekR1.Actors.Rl.Tasks.TaskCatalog.ArithmeticBilingual, StringComparison.Ordinal))
                args.AddRange(["--mixed-share", cold.MixedShare.ToString(CultureInfo.InvariantCulture)]);
            Command(stage, args, [], requireSummary: false);
        }
        var figures = Sft(stage, data, BaseModel, cold.Set);
        figures.Insert(0, new PipelineFigure("examples", Lines(data)));
        return Evaluated(stage, CheckpointOf(stage), figures);
    }

    private StageOutcome Rl(string stage, string from, RlStage rl)
    {
        var summary = Command(stage, ["train", "--run-id", RunIdOf(stage)],
            [$"r1.train.init={from}", $"r1.grpo.task={settings.Plan.Task}", "r1.train.eval-limit=0", .. rl.Set]);
        string checkpoint = (string?)summary["checkpoint"] ?? throw new PipelineStageException($"stage {stage}: r1 train printed no checkpoint");
        var figures = new List<PipelineFigure>
        {
            new("rl_steps", Number(summary, "steps")),
            new("rl_step_minutes", Number(summary, "step_minutes_all_sessions")),
        };
        return Evaluated(stage, checkpoint, figures);
    }

    private StageOutcome Sample(string stage, string checkpoint, int samples, int limit, IReadOnlyList<string> sets, string output)
    {
        var summary = Command(stage, ["sample", "--checkpoint", checkpoint, "--task", settings.Plan.Task, "--split", "train",
            "--samples", Text(samples), "--limit", Text(limit), "--out", output], sets);
        // Every count the sampler reports: judged, kept and one per filter verdict.
        var figures = summary.Where(p => p.Value is JsonValue v && v.TryGetValue<double>(out _) && p.Key is not ("samples" or "seconds"))
            .Select(p => new PipelineFigure(p.Key, (double)p.Value!)).ToList();
        figures.Add(new PipelineFigure("kept", Lines(output)));
        return new StageOutcome(output, Distinct(figures));
    }

    private StageOutcome RejectionSft(string reasoningData)
    {
        const string stage = PipelineStages.RejectionSft;
        var sft = settings.RejectionSft;
        string mixed = DataOf("rejection-sft");
        int reasoning = Lines(reasoningData), general = 0;
        Directory.CreateDirectory(Path.GetDirectoryName(mixed)!);
        using (var writer = new StreamWriter(mixed + ".partial", append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" })
        {
            foreach (var line in File.ReadLines(reasoningData).Where(l => l.Trim().Length > 0)) writer.WriteLine(line);
            if (sft.GeneralData.Length > 0)
            {
                // ratio x reasoning examples, cycling through the general file in its order (deterministic).
                var pool = File.ReadLines(RepositoryPaths.Resolve(sft.GeneralData)!).Where(l => l.Trim().Length > 0).ToArray();
                general = pool.Length == 0 ? 0 : (int)Math.Round(sft.GeneralRatio * reasoning);
                for (int i = 0; i < general; i++) writer.WriteLine(pool[i % pool.Length]);
            }
        }
        File.Move(mixed + ".partial", mixed, overwrite: true);
        if (reasoning + general == 0) throw new PipelineStageException($"stage {stage}: rejection sampling kept no completion ({reasoningData} is empty): nothing to fine-tune on");
        var figures = Sft(stage, mixed, BaseModel, sft.Set);
        figures.InsertRange(0, [new PipelineFigure("reasoning_examples", reasoning), new PipelineFigure("general_examples", general)]);
        return Evaluated(stage, CheckpointOf(stage), figures);
    }

    private StageOutcome Distill(string teacher)
    {
        const string stage = PipelineStages.Distill;
        var distill = settings.Distill;
        var traces = Sample(stage, teacher, distill.Samples, distill.Limit, distill.Set, DataOf("distill-traces"));
        if (Lines(traces.Output) == 0) throw new PipelineStageException($"stage {stage}: the teacher {teacher} wrote no verified trace");
        string? init = distill.StudentInit switch { "base" => BaseModel, "random" => null, var path => RepositoryPaths.Resolve(path) };
        var figures = Sft(stage, traces.Output, init, distill.Set);
        figures.InsertRange(0, traces.Figures.Select(f => f with { Name = "traces_" + f.Name }));
        return Evaluated(stage, CheckpointOf(stage), figures);
    }

    // r1 sft into the stage's checkpoint folder; its figures.
    private List<PipelineFigure> Sft(string stage, string data, string? init, IReadOnlyList<string> sets)
    {
        var args = new List<string> { "sft", "--data", data, "--out", CheckpointOf(stage) };
        if (init is not null) args.AddRange(["--init", init]);
        Command(stage, args, sets, requireSummary: false);
        return [];
    }

    // The checkpoint on the held-out split: the report's columns.
    private StageOutcome Evaluated(string stage, string checkpoint, List<PipelineFigure> figures)
    {
        var eval = Command(stage, ["eval", "--checkpoint", checkpoint, "--task", settings.Plan.Task,
            "--limit", Text(settings.Plan.EvalLimit), "--samples", Text(settings.Plan.EvalSamples)], []);
        figures.AddRange(
        [
            new("pass_at_1", Number(eval, "pass_at_1")), new("cons_at_k", Number(eval, "cons_at_k")),
            new("response_tokens_mean", Number(eval, "mean_completion_tokens")), new("language_mixing", Number(eval, "language_mixing")),
            new("format_rate", Number(eval, "format_rate")), new("truncated_rate", Number(eval, "truncated_rate")),
        ]);
        return new StageOutcome(checkpoint, Distinct(figures));
    }

    // Runs one command of a stage and returns its summary (its last JSON line).
    private JsonObject Command(string stage, IReadOnlyList<string> args, IReadOnlyList<string> sets, bool requireSummary = true)
    {
        var full = new List<string>(args);
        full.AddRange(shared);
        foreach (var set in sets) full.AddRange(["--set", set]);
        console.WriteLine($"r1 pipeline: {stage}: r1 {string.Join(' ', args)}");
        var result = StageProcess.Run(full, console, LogOf(stage));
        if (result.ExitCode != 0)
            throw new PipelineStageException($"stage {stage}: r1 {args[0]} ended with {Commands.EngineSupervisor.Describe(result.ExitCode)}: {result.Tail()} (log: {LogOf(stage)})");
        if (result.Summary is null && requireSummary)
            throw new PipelineStageException($"stage {stage}: r1 {args[0]} printed no summary line (log: {LogOf(stage)})");
        return result.Summary ?? [];
    }

    /// <summary>SHA-256 of what a stage produced: a checkpoint's manifest, or a data file.</summary>
    public static string Hash(string output)
    {
        string file = Directory.Exists(output) ? Path.Combine(output, CheckpointManifest.FileName) : output;
        if (!File.Exists(file)) throw new PipelineStageException($"{output}: the stage's output is missing ({file})");
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static double Number(JsonObject summary, string key) =>
        summary[key] is JsonValue value && value.TryGetValue<double>(out double x) ? x : double.NaN;

    private static int Lines(string file) => File.Exists(file) ? File.ReadLines(file).Count(l => l.Trim().Length > 0) : 0;

    private static List<PipelineFigure> Distinct(IEnumerable<PipelineFigure> figures) =>
        figures.GroupBy(f => f.Name).Select(g => g.Last()).ToList();

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
