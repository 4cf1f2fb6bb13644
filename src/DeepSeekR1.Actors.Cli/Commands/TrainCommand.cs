using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Akka.Actor;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Analysis;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Configuration;

using DeepSeekR1.Actors.Cli.Terminal;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>Settings of the main job (HOCON section <c>r1.train</c>).</summary>
public sealed record TrainSettings
{
    /// <summary>The shipped defaults (<c>r1.train</c> in hocon/), the only place they live.</summary>
    public static TrainSettings Defaults => ShippedDefaults.Bind<TrainSettings>("r1.train");

    /// <summary>inline or actor.</summary>
    public required string Engine { get; init; }
    /// <summary>Checkpoint to start from, or "random".</summary>
    public required string Init { get; init; }
    /// <summary>Held-out questions for the before/after evaluation (0 = skip).</summary>
    public required int EvalLimit { get; init; }
    /// <summary>Samples per question in that evaluation.</summary>
    public required int EvalSamples { get; init; }
    /// <summary>Times the actor engine's process is started again after it died (0 = run it in this process, unsupervised).</summary>
    public required int MaxRestarts { get; init; }
    /// <summary>Seconds before the first restart; each further one waits twice as long.</summary>
    public required double RestartBackoffSeconds { get; init; }

    /// <summary>Whether every step's metrics are also written as TensorBoard scalars (<see cref="TensorBoardLog"/>).</summary>
    public required bool Tensorboard { get; init; }

    /// <summary>General prompts mixed into the task: "" = none, <c>toy:N</c>, or a JSONL file with a <c>prompt</c> per line.</summary>
    public required string GeneralPrompts { get; init; }
    /// <summary>General prompts per reasoning question when <see cref="GeneralPrompts"/> is set.</summary>
    public required double GeneralRatio { get; init; }
}

/// <summary>
/// <c>r1 train</c>, the main job: R1-Zero-style GRPO on the built-in task from the shipped base model, with a line of
/// progress per step (reward, accuracy, length, KL, step time) and a held-out pass@1 before and after.
/// </summary>
public static class TrainCommand
{
    // What everyone changes, as options; each is a shortcut for one key (its help names it) and --set still wins.
    private static readonly IKeyOption[] Shortcuts =
    [
        new KeyOption<string>("--engine", "r1.train.engine", "inline (one process, no actors) | actor (Akka.NET, journaled, resumable)"),
        new KeyOption<int?>("--steps", "r1.grpo.steps", "RL steps"),
        new KeyOption<string>("--task", "r1.grpo.task", "Task the questions come from: arithmetic:2, gsm8k, math, math:PATH, ..."),
        new KeyOption<string>("--init", "r1.train.init", "Checkpoint the run starts from (a checkpoint folder, or random)"),
        new KeyOption<int?>("--group-size", "r1.grpo.group-size", "Samples per question (G)"),
        new KeyOption<double?>("--lr", "r1.grpo.learning-rate", "Learning rate"),
        new KeyOption<long?>("--seed", "r1.seed", "Run seed"),
    ];
    private static readonly Option<string?> RunId = new("--run-id") { Description = "Run id; the run's files go under DATA_DIR/runs/ID (an existing id resumes, actor engine only)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("train", "Run GRPO (R1-Zero style) on the embedded default: the main job") { RunId };
        foreach (var shortcut in Shortcuts) command.Options.Add(shortcut.Option);
        command.WithConfigOptions();
        command.SetAction(parse => Supervised(parse) ?? Execute(parse, Console.Out));
        return command;
    }

    /// <summary>The command line this process was started with (set by Program.cs), which a supervisor re-runs.</summary>
    public static IReadOnlyList<string> CommandLine { get; set; } = [];

    // The actor engine runs in a child process that is restarted when it dies (EngineSupervisor); null when this
    // process runs the job itself: the inline engine, r1.train.max-restarts = 0, or this process is that child.
    private static int? Supervised(ParseResult parse)
    {
        if (EngineSupervisor.IsChild)
        {
            EngineSupervisor.BindToSupervisor();
            return null;
        }
        var extra = ShortcutOverrides(parse);
        // Any configuration error surfaces here, once, before a child is started.
        var config = CommonOptions.Load(parse, extra);
        var train = config.Bind<TrainSettings>("r1.train");
        if (train.Engine != "actor" || train.MaxRestarts <= 0 || CommandLine.Count == 0) return null;
        if (train.RestartBackoffSeconds < 0) throw new ConfigException($"r1.train.restart-backoff-seconds: {train.RestartBackoffSeconds} is negative");
        var args = CommandLine.ToList();
        // Every restart must resume the same run: fix its id now when the command line left it to the clock.
        string runId = CheckRunId(parse.GetValue(RunId) ?? NewRunId());
        if (parse.GetValue(RunId) is null) args.AddRange(["--run-id", runId]);
        // The supervisor holds the run's lock for all its engines (a cluster's nodes share the run folder: no lock there).
        using var runLock = NodeCommand.DriverLayer(config) is null ? RunLock.Take(RunDirectory(config, runId), runId) : null;
        return EngineSupervisor.Run(args, train.MaxRestarts, train.RestartBackoffSeconds, Console.Out);
    }

    /// <summary>The <c>key=value</c> overrides of the shortcut options given on <paramref name="parse"/>'s command line.</summary>
    public static List<string> ShortcutOverrides(ParseResult parse) =>
        Shortcuts.Select(s => s.Override(parse)).OfType<string>().ToList();

    private static string NewRunId() => $"{DateTime.UtcNow:yyyyMMdd-HHmmss}";   // the journal adds "run-" itself

    /// <summary>
    /// A run id names a folder and journal keys: letters, digits, '.', '_' and '-' only, starting with a letter or digit,
    /// at most 100 characters (so '../../x', 'a/b' or '' cannot write outside the data dir). Returns it, or throws.
    /// </summary>
    public static string CheckRunId(string runId)
    {
        bool ok = runId.Length is > 0 and <= 100 && char.IsAsciiLetterOrDigit(runId[0])
                  && runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        return ok ? runId : throw new ConfigException(
            $"--run-id '{runId}': a run id is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    /// <summary>Runs the job, writing progress and the summary to <paramref name="output"/>.</summary>
    public static int Execute(ParseResult parse, TextWriter output)
    {
        var extra = ShortcutOverrides(parse);
        var config = CommonOptions.Load(parse, extra);
        var settings = RunSettings.From(config);
        var (train, grpo, sampling, seed) = settings;
        bool actors = train.Engine == "actor";
        // With seed nodes (HOCON or R1_SEED_NODES) this process drives a run on a cluster, as one more node.
        var cluster = NodeCommand.DriverLayer(config);
        if (cluster is not null && !actors) throw new ConfigException("a cluster runs the actor engine: r1.train.engine must be actor when seed nodes are set");
        if (settings.Experts.Location == ExpertLocation.Nodes && !actors)
            throw new ConfigException("r1.experts.location = nodes puts expert shards on nodes with the experts role, which needs the actor engine: set r1.train.engine = actor (or r1.experts.location = in-process)");

        string runId = CheckRunId(parse.GetValue(RunId) ?? NewRunId());
        if (cluster is not null && parse.GetValue(RunId) is null) throw new ConfigException("a cluster serves one named run: give --run-id, the same as its nodes'");
        string dataDir = config.GetString("r1.data-dir");
        string runDir = RunDirectory(config, runId);
        // A cluster's nodes create the run folder as they start; the configuration written below marks a run begun.
        var layout = new RunLayout(runDir);
        bool resuming = File.Exists(layout.ConfigFile);
        if (resuming && !actors)
            throw new NotSupportedException($"run '{runId}' already exists in {runDir}; the inline engine cannot resume a run (the actor engine resumes from its journal)");
        // One process per run folder (a supervised engine's supervisor holds the lock for it).
        using var runLock = cluster is null && !EngineSupervisor.IsChild ? RunLock.Take(runDir, runId) : null;
        // The task's data is read before the run is marked begun, so that a bad data file leaves nothing behind that
        // would make the next attempt say "resuming".
        var runtime = PolicyFactory.Start(config);
        var task = TrainingTask(config, train, grpo, sampling, runtime, output);
        if (task.HasGeneralPrompts && !actors)
            throw new ConfigException("r1.train.general-prompts: general prompts are scored by the reward-model entities, which only the actor engine hosts: set r1.train.engine = actor");
        // General prompts need their reward models, checked now (manifests only), before anything is written or loaded.
        ModelRewardsFor(config, task);
        // A code task's sandbox is checked now, before any model loads: without one the command stops (exit code 3).
        var code = CodeSandbox.For(config, task);
        // The effective settings as HOCON that --config reads back (`r1 config show` prints the same).
        if (!resuming) File.WriteAllText(layout.ConfigFile, ConfigRenderer.Render(config));

        output.WriteLine($"r1 train: run {runId}{(resuming ? " (resuming)" : "")}, engine {train.Engine}, task {grpo.Task}, {grpo.Steps} steps x {grpo.PromptsPerStep} questions x {grpo.GroupSize} samples, policy {train.Init}");
        if (actors && InitialModelConfig(config, train) is { } shape && settings.Experts.ShardsExpertsOf(shape))
            foreach (var line in ExpertPlacement.For(shape, settings.Experts.Shards).Describe())
                output.WriteLine($"r1 train: {line}{(settings.Experts.Location == ExpertLocation.Nodes ? " (on a node with the experts role)" : "")}");

        EvalSettings? evalSettings = train.EvalLimit > 0
            ? config.Bind<EvalSettings>("r1.eval") with { Task = grpo.Task, Data = grpo.Data, Limit = train.EvalLimit, Samples = train.EvalSamples }
            : null;
        // Every tensor op of this command runs on the process's tensor thread, the thread the actor engine's samplers
        // and learner use too: one OpenMP master per process (TorchThread says why).
        var torch = TorchThread.Shared;
        EvalReport? before = null;
        if (evalSettings is not null)
        {
            // A resumed run reuses the evaluation its first session made of the same policy under the same settings.
            string fingerprint = JsonSerializer.Serialize(new { init = train.Init, evalSettings, grpo.Task, grpo.Data, seed });
            before = resuming ? EvalReportFile.Load(layout.BeforeEvaluationFile, fingerprint) : null;
            if (before is not null)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"held-out before: pass@1 {before.Overall.PassAt1 * 100:F1}%, cons@{evalSettings.Samples} {before.Overall.ConsAtK * 100:F1}% over {before.Questions.Count} questions (kept from the run's first session)"));
            else
            {
                before = torch.Invoke(() =>
                {
                    using var initial = LoadInitialPolicy(config, train, runtime);
                    return Evaluate(initial, runtime.Tokenizer, task, evalSettings, grpo, code, output, "before");
                });
                EvalReportFile.Save(layout.BeforeEvaluationFile, before, fingerprint);
            }
        }

        using var metricsFile = new StreamWriter(layout.MetricsFile, append: resuming);
        using var tensorBoard = train.Tensorboard ? new TensorBoardLog(layout.TensorBoard) : null;
        var started = DateTime.UtcNow;
        // The remaining time at this session's pace so far (steps reported by this process over its wall time).
        var pace = System.Diagnostics.Stopwatch.StartNew();
        int reportedSteps = 0;
        void Report(long step, StepMetrics m, double samplingSeconds)
        {
            lock (metricsFile)
            {
                reportedSteps++;
                double eta = pace.Elapsed.TotalSeconds / reportedSteps * Math.Max(0, grpo.Steps - (step + 1));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {step + 1,4}/{grpo.Steps} | reward {m.RewardMean:F3} | acc {m.Accuracy * 100,5:F1}% | len {m.CompletionLengthMean,5:F1} | kl {m.KlMean ?? 0:F4} | clip {m.ClipFractionLow + m.ClipFractionHigh:F3} | {m.StepSeconds:F1}s | eta {Eta(eta)}"));
                output.Flush();
                metricsFile.WriteLine(JsonSerializer.Serialize(new { step = step + 1, metrics = m, sampling_seconds = samplingSeconds }, HumanJson.Compact));
                metricsFile.Flush();
                tensorBoard?.Step(step, m);
            }
        }

        string final;
        PolicyModel? trained;
        // Seconds of every applied step, earlier sessions of a resumed run included (the journal has them all).
        double allStepSeconds = 0;
        if (actors)
        {
            var run = EngineRunFor(config, settings, runtime, task, runId, code) with { Restart = EngineSupervisor.RestartFromEnvironment() };
            var engineConfig = cluster is null ? config.Root : cluster.WithFallback(config.Root);
            // TensorBoard's replayed figures come from the journal, as `r1 replay` computes them; so do the console's
            // lines on a pause or resume, whichever node's pbm asked for it.
            var follower = RunJournalFollower.Start(dataDir, engineConfig, runId, grpo.AdvantageScaling, tensorBoard,
                line => { lock (metricsFile) { output.WriteLine(line); output.Flush(); } }, Console.Error);
            EngineOutcome? outcome = null;
            try { outcome = TrainWithActors(run, dataDir, engineConfig, output, Report); }
            finally
            {
                // A run that ended lets the follower catch up with its last steps; one that threw does not wait.
                follower.StopAsync(tensorBoard is null ? 0 : outcome?.Steps ?? 0, outcome is null ? TimeSpan.Zero : TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            }
            if (outcome.State == RunStates.Failed)
            {
                output.WriteLine($"r1 train: run {runId} failed after {outcome.Steps} steps: {outcome.Failure}");
                output.WriteLine("r1 train: the failure is journaled; nothing journaled before it is lost, and the run will not resume (replay and pbm show it)");
                return EngineSupervisor.RunFailedExitCode;
            }
            final = outcome.Checkpoint;
            allStepSeconds = outcome.Metrics.Sum(m => m.StepSeconds);
            trained = evalSettings is not null ? torch.Invoke(() => PolicyCheckpoint.Load(final, runtime.Device, dtype: PolicyFactory.DtypeOf(config))) : null;
        }
        else
        {
            trained = torch.Invoke(() => LoadInitialPolicy(config, train, runtime));
            final = torch.Invoke(() =>
            {
                using var trainer = new InlineGrpoTrainer(trained, runtime.Tokenizer, task, grpo, sampling, seed, settings.Experts, code);
                foreach (var line in trainer.Learner.Shards?.Placement.Describe() ?? []) output.WriteLine($"r1 train: {line}");
                foreach (var result in trainer.Run())
                {
                    allStepSeconds += result.Metrics.StepSeconds;
                    Report(result.Step, result.Metrics, result.SamplingSeconds);
                    if (tensorBoard is not null)
                    {
                        var (replayed, advantages, lengths) = Replayed(result);
                        tensorBoard.Replayed(replayed, advantages, lengths);
                    }
                    if (grpo.CheckpointEvery > 0 && (result.Step + 1) % grpo.CheckpointEvery == 0)
                        SaveCheckpoint(trainer.Learner, runDir, result.Step + 1, runtime.Tokenizer);
                }
                return SaveCheckpoint(trainer.Learner, runDir, grpo.Steps, runtime.Tokenizer);
            });
            if (settings.Experts.ShardsExpertsOf(trained.Config))
            {
                // The shards went with the trainer: evaluate the whole model the checkpoint holds.
                trained.Dispose();
                trained = evalSettings is not null ? torch.Invoke(() => PolicyCheckpoint.Load(final, runtime.Device, dtype: PolicyFactory.DtypeOf(config))) : null;
            }
        }
        using var trainedPolicy = trained;
        double minutes = (DateTime.UtcNow - started).TotalMinutes;

        EvalReport? after = evalSettings is not null ? torch.Invoke(() => Evaluate(trainedPolicy!, runtime.Tokenizer, task, evalSettings, grpo, code, output, "after")) : null;
        // Kept beside the "before" one, so that `r1 replay` can report both with the run's curves.
        if (after is not null)
            EvalReportFile.Save(layout.AfterEvaluationFile, after, JsonSerializer.Serialize(new { checkpoint = final, evalSettings, grpo.Task, grpo.Data, seed }));
        // A resumed run's own minutes are only this session's: say what all its sessions' steps took as well.
        string sessions = resuming ? string.Create(CultureInfo.InvariantCulture, $" ({allStepSeconds / 60:F1} min of steps over all sessions)") : "";
        output.WriteLine($"r1 train: finished {grpo.Steps} steps in {minutes:F1} min{sessions}; checkpoint {final}");
        var summary = new Dictionary<string, object?>
        {
            ["run_id"] = runId,
            ["engine"] = train.Engine,
            ["steps"] = grpo.Steps,
            ["train_minutes"] = Math.Round(minutes, 2),
            ["step_minutes_all_sessions"] = Math.Round(allStepSeconds / 60, 2),
            ["checkpoint"] = final,
            ["pass_at_1_before"] = before?.Overall.PassAt1,
            ["pass_at_1_after"] = after?.Overall.PassAt1,
        };
        if (before is not null && after is not null)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"held-out pass@1 ({after.Questions.Count} questions x {train.EvalSamples}): {before.Overall.PassAt1 * 100:F1}% -> {after.Overall.PassAt1 * 100:F1}%"));
        output.WriteLine(JsonSerializer.Serialize(summary, HumanJson.Compact));
        return 0;
    }

    /// <summary>
    /// The run folder of <paramref name="runId"/>: under the checkpoint store (<c>r1.cluster.checkpoint-store</c>, a folder
    /// every node of a cluster shares) when one is set, else under the data dir.
    /// </summary>
    internal static string RunDirectory(R1Config config, string runId)
    {
        string store = config.GetString("r1.cluster.checkpoint-store");
        return RunLayout.Under(store.Length > 0 ? store : config.GetString("r1.data-dir"), runId).RunDirectory;
    }

    /// <summary>
    /// <c>r1.sampling</c>, checked: a temperature of -1 or NaN, a top-p of 2 would otherwise start a run whose sampler
    /// fails every batch forever.
    /// </summary>
    internal static SamplingOptions SamplingSettings(R1Config config)
    {
        try { return config.Bind<SamplingOptions>("r1.sampling").Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.{e.Message}"); }
    }

    /// <summary>
    /// The run's task, without the questions whose prompt leaves no room for a completion in the model's context
    /// (counted, and the first named, on <paramref name="output"/>); an error when none is left. <c>r1 train</c> and
    /// <c>r1 node</c> both build it this way, so every node of a cluster draws from the same questions.
    /// </summary>
    internal static ITaskSource TrainingTask(R1Config config, TrainSettings train, GrpoSettings grpo, SamplingOptions sampling, PolicyRuntime runtime, TextWriter output)
    {
        // Refused here, before anything starts, rather than at the first sampler batch.
        if (sampling.Speculative == SpeculativeDecoding.Mtp && InitialModel(config, train, runtime).MtpLayers == 0)
            throw new ConfigException($"r1.sampling.speculative = mtp drafts with the policy's multi-token prediction module, and the policy " +
                $"({train.Init}) has none (r1.model.mtp-layers = 0; config.json: num_nextn_predict_layers); set r1.sampling.speculative = off");
        var reasoning = ReasoningTask(config, train, grpo, sampling, runtime, output);
        if (train.GeneralPrompts.Length == 0) return reasoning;
        var prompts = GeneralPrompts(train.GeneralPrompts);
        var budget = new PromptBudget(runtime.Tokenizer, InitialContext(config, train, runtime), sampling.MaxNewTokens);
        // A generated task gives as many questions as the run's steps ask for; they are drawn from the mix like a file's.
        var mixed = new GeneralPromptMix(reasoning, prompts, train.GeneralRatio is > 0 and <= 10 ? train.GeneralRatio
            : throw new ConfigException($"r1.train.general-ratio: {train.GeneralRatio} is not within (0, 10]"),
            reasoningQuestions: (int)Math.Min(int.MaxValue, Math.Max(1L, (long)grpo.Steps * grpo.PromptsPerStep)));
        if (mixed.Items(TaskSplit.Train, 0).Where(i => i.Kind == AnswerKind.General).Take(prompts.Count).FirstOrDefault(i => !budget.Fits(i)) is { } unfit)
            throw new ConfigException($"r1.train.general-prompts: prompt '{unfit.Question}' takes {budget.Tokens(unfit)} prompt tokens; the model's context leaves {budget.MaxPromptTokens}");
        output.WriteLine($"r1 train: {prompts.Count} general prompts mixed in ({train.GeneralRatio} per reasoning question), scored by the reward models");
        return mixed;
    }

    // "toy:N" = the toy preference generator's prompts (seeded by r1.seed's default stream), else a JSONL file.
    private static IReadOnlyList<string> GeneralPrompts(string source)
    {
        const string key = "r1.train.general-prompts";
        if (source.StartsWith("toy:", StringComparison.Ordinal))
            return int.TryParse(source[4..], out int count) && count > 0
                ? GeneralPromptMix.ToyPrompts(count, seed: 1)
                : throw new ConfigException($"{key}: '{source}' must be toy:N with N a positive count");
        string path = RepositoryPaths.Resolve(source) ?? throw new ConfigException($"{key}: file '{source}' not found");
        var prompts = GeneralPromptMix.ReadPrompts(path);
        return prompts.Count > 0 ? prompts : throw new ConfigException($"{key}: '{path}' holds no prompt");
    }

    /// <summary>
    /// The reward-model settings of a run of <paramref name="task"/> (<c>r1.rewards.models</c>, paths resolved like every
    /// other path), or null when no prompt kind uses the models; an error naming the key when the task has general
    /// prompts and a model is missing or wrong.
    /// </summary>
    internal static ModelRewardSettings? ModelRewardsFor(R1Config config, ITaskSource task) =>
        ModelRewardSettings.RequireFor(task, config.Bind<ModelRewardSettings>(ModelRewardSettings.Section), path => RepositoryPaths.Resolve(path) ?? path);

    // The reasoning task of r1.grpo, without the questions that do not fit the context.
    private static ITaskSource ReasoningTask(R1Config config, TrainSettings train, GrpoSettings grpo, SamplingOptions sampling, PolicyRuntime runtime, TextWriter output)
    {
        var task = TaskCatalog.Get(grpo.Task, string.IsNullOrEmpty(grpo.Data) ? null : grpo.Data, config.Bind<QaJsonlFields>("r1.jsonl"));
        var budget = new PromptBudget(runtime.Tokenizer, InitialContext(config, train, runtime), sampling.MaxNewTokens);
        string source = string.IsNullOrEmpty(grpo.Data) ? $"task '{grpo.Task}'" : grpo.Data;
        if (budget.MaxPromptTokens <= 0)
            throw new ConfigException($"r1.sampling.max-new-tokens ({sampling.MaxNewTokens}) leaves no room for a prompt in the model's context ({budget.MaxPositions} positions)");
        if (task is GeneratedTask generated)
        {
            // Generated questions have a bounded size; the first few show whether that size fits.
            if (generated.Items(TaskSplit.Train, 0).Take(64).FirstOrDefault(item => !budget.Fits(item)) is { } unfit)
                throw new ConfigException($"{source}: question {unfit.Id} takes {budget.Tokens(unfit)} prompt tokens; with max-new-tokens {sampling.MaxNewTokens} the model's {budget.MaxPositions} positions allow {budget.MaxPromptTokens}");
            return task;
        }
        var fitted = FittedTaskSource.Check(task, budget.Fits, 0);
        var trainFit = fitted.Splits[TaskSplit.Train];
        if (trainFit.Total > 0 && trainFit.Skipped == trainFit.Total)
            throw new ConfigException($"{source}: no training question fits the model's context ({budget.MaxPositions} positions less max-new-tokens {sampling.MaxNewTokens} leaves {budget.MaxPromptTokens} prompt tokens)");
        foreach (var (split, fit) in fitted.Splits.Where(s => s.Value.Skipped > 0).OrderBy(s => s.Key))
            output.WriteLine($"r1: warning: {source}: {fit.Skipped} of {fit.Total} {split.ToString().ToLowerInvariant()} questions are skipped: their prompt is longer than the {budget.MaxPromptTokens} tokens the context leaves (first: {fit.FirstSkipped})");
        return fitted;
    }

    // The context of the policy a run starts from: r1.model for a fresh one, the checkpoint's config.json otherwise.
    private static int InitialContext(R1Config config, TrainSettings train, PolicyRuntime runtime) => InitialModel(config, train, runtime).ContextLength;

    // The shape of the policy the run starts from, read from its config.json (no weights loaded).
    private static ModelConfig InitialModel(R1Config config, TrainSettings train, PolicyRuntime runtime)
    {
        if (train.Init == "random") return PolicyFactory.ModelConfigFor(config, runtime.Tokenizer);
        string path = RepositoryPaths.Resolve(train.Init)
            ?? throw new ConfigException($"r1.train.init: checkpoint '{train.Init}' not found (give a path, or \"random\")");
        return HfConfigJson.Read(Path.Combine(path, HfConfigJson.FileName));
    }

    // "42s", "3.5m", "1.2h": short enough for the end of a step line.
    private static string Eta(double seconds) =>
        seconds < 90 ? FormattableString.Invariant($"{seconds:F0}s")
        : seconds < 5400 ? FormattableString.Invariant($"{seconds / 60:F1}m")
        : FormattableString.Invariant($"{seconds / 3600:F1}h");

    /// <summary>The actor engine's inputs for <paramref name="runId"/>; every node of a cluster builds the same from the same configuration.</summary>
    /// <remarks>A code task's sandbox is started here unless the caller passes the one it started (<paramref name="code"/>).</remarks>
    internal static EngineRun EngineRunFor(R1Config config, RunSettings settings, PolicyRuntime runtime, ITaskSource task, string runId, CodeRewards? code = null)
    {
        var (train, grpo, sampling, seed) = settings;
        string runDir = RunDirectory(config, runId);
        Directory.CreateDirectory(runDir);
        return new EngineRun
        {
            RunId = runId, RunDirectory = runDir, Grpo = grpo, Sampling = sampling, Experts = settings.Experts, Async = settings.Async,
            Seed = seed, Task = task, Tokenizer = runtime.Tokenizer, Device = runtime.Device, Dtype = PolicyFactory.DtypeOf(config), Code = code ?? CodeSandbox.For(config, task),
            ModelRewards = ModelRewardsFor(config, task),
            InitialPolicy = () => LoadInitialPolicy(config, train, runtime),
            CheckpointExtraFiles = TokenizerFiles(runDir, runtime.Tokenizer),
            ConfigText = config.Root.ToString(true),
        };
    }

    // The actor engine: one node (journals under the data dir), or one more node of a cluster that drives its run; a
    // run id already in the journal resumes.
    private static EngineOutcome TrainWithActors(EngineRun run, string dataDir, Akka.Configuration.Config config, TextWriter output, Action<long, StepMetrics, double> report)
    {
        var observer = new EngineObserver
        {
            OnStep = (step, m) => report(step, m, 0),
            OnMarker = marker =>
            {
                lock (output) { output.WriteLine(MarkerLine.Of(marker)); output.Flush(); }
            },
        };
        PosixSignal? stopSignal = null;
        var outcome = Task.Run(async () =>
        {
            await using var host = await EngineHost.StartAsync(run, dataDir, config, observer);
            // Ctrl+C or SIGTERM: leave the cluster cleanly (nothing journaled is lost) and say how to resume; the run is
            // not marked stopped, so the same command carries on.
            void OnStop(PosixSignalContext signal)
            {
                signal.Cancel = true;
                stopSignal ??= signal.Signal;
                _ = CoordinatedShutdown.Get(host.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
            }
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
            try
            {
                await AnnouncePbm(host, run.RunId, dataDir, output);
                return await host.RunAsync();
            }
            // Whatever was waiting when the node shut down (the run's end, a status question) ends with the stop.
            catch (Exception) when (stopSignal is { } signal)
            {
                throw new RunStoppedBySignalException(signal, run.RunId, ResumeCommand(run.RunId));
            }
            catch (InvalidOperationException e) { throw new ConfigException(e.Message); }   // resumed with other settings
        }).GetAwaiter().GetResult();
        if (outcome.State is not (RunStates.Finished or RunStates.Failed))
            output.WriteLine($"r1 train: run {run.RunId} was {outcome.State} after {outcome.Steps} steps");
        return outcome;
    }

    // This command line with its run id: what resumes the run (a supervised engine's arguments already carry the id).
    private static string ResumeCommand(string runId)
    {
        var args = Environment.GetCommandLineArgs().Skip(1).ToList();
        if (!args.Contains("--run-id")) args.AddRange(["--run-id", runId]);
        static string Quote(string a) => a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";
        return "./r1 " + string.Join(' ', args.Select(Quote));
    }

    // One line with the node's pbm endpoint; and a paused run (its pause is journaled) says how to resume it instead
    // of waiting silently.
    private static async Task AnnouncePbm(EngineHost host, string runId, string dataDir, TextWriter output)
    {
        var pbm = host.Pbm;
        // The client finds a generated token in its own data dir: a hint for a run elsewhere must name that dir.
        string client = $"./r1 pbm {pbm?.Endpoint}{(Path.GetFullPath(dataDir) == Path.GetFullPath(".r1") ? "" : $" --data-dir {dataDir}")}";
        Say(output, pbm is null
            ? "r1 train: no pbm command host on this node (r1.pbm.enabled is off, or its port is taken)"
            : $"r1 train: pbm command host on {pbm.Endpoint}, token from {pbm.Token.Source} ({client} run status)");
        var status = await host.Tell(new GetRunStatus(runId));
        if (status.State != RunStates.Paused) return;
        string resume = pbm is null ? "enable r1.pbm, then `r1 pbm HOST:PORT run resume`" : $"{client} run resume --id {runId}";
        Say(output, $"r1 train: run {runId} is paused after {status.StepsCompleted} steps; it waits here until resumed: {resume}");
    }

    private static void Say(TextWriter output, string line)
    {
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static IReadOnlyList<string> TokenizerFiles(string runDir, IPolicyTokenizer tokenizer)
    {
        if (tokenizer is not BuiltinTokenizer builtin) return [];
        string file = Path.Combine(runDir, "tokenizer.json");
        if (File.Exists(file)) return [file];
        // Every node of a cluster writes it into the shared run folder as it starts: write aside, then move into place,
        // so that nobody (the learner copying it into a checkpoint) ever reads a half-written file.
        string partial = $"{file}.{Guid.NewGuid():N}.partial";
        File.WriteAllText(partial, builtin.ToJson());
        File.Move(partial, file, overwrite: true);
        return [file];
    }

    // The shape of the policy the run starts from, read without loading its weights (null when it cannot be found:
    // loading it reports that properly).
    private static ModelConfig? InitialModelConfig(R1Config config, TrainSettings train)
    {
        if (train.Init == "random") return config.Bind<ModelConfig>("r1.model");
        string? path = RepositoryPaths.Resolve(train.Init);
        string json = path is null ? "" : Path.Combine(path, "config.json");
        return File.Exists(json) ? HfConfigJson.Read(json) : null;
    }

    private static PolicyModel LoadInitialPolicy(R1Config config, TrainSettings train, PolicyRuntime runtime)
    {
        if (train.Init == "random") return PolicyFactory.CreateRandom(config, runtime);
        string path = RepositoryPaths.Resolve(train.Init)
            ?? throw new ConfigException($"r1.train.init: checkpoint '{train.Init}' not found (give a path, or \"random\")");
        return PolicyFactory.LoadCheckpoint(path, runtime.Device, Console.Error, PolicyFactory.DtypeOf(config));
    }

    // An inline step as `r1 replay` would show it from a journal: the learner's metrics, the analyses of its completions,
    // and every sample's advantage and response length (for TensorBoard).
    private static (ReplayStep Step, IReadOnlyList<double> Advantages, IReadOnlyList<double> ResponseTokens) Replayed(StepResult result)
    {
        var completions = result.Groups.SelectMany(g => g.Rollouts.Select(r => new CompletionRecord(g.Item.Level, r.Completion, r.CompletionIds.Count, r.Reward, r.Correct)));
        var step = new ReplayStep(result.Step, result.Step, MetricsData.From(result.Metrics), StepAnalysis.Of(completions), AppliedAt: null, WallSeconds: null);
        return (step, result.Advantages.SelectMany(a => a).ToArray(), result.Groups.SelectMany(g => g.Rollouts.Select(r => (double)r.CompletionIds.Count)).ToArray());
    }

    private static EvalReport Evaluate(PolicyModel policy, IPolicyTokenizer tokenizer, ITaskSource task, EvalSettings settings, GrpoSettings grpo, CodeRewards? code, TextWriter output, string label)
    {
        var items = EvalQuestions.Select(task, settings);
        // A bar on a terminal only: in a log (or the engine process under its supervisor) the summary line says enough.
        bool bar = ReferenceEquals(output, Console.Out) && ProgressReporter.IsTerminal(Console.Error);
        var progress = new ProgressReporter($"held-out {label}", "completions", Console.Error, bar);
        var report = Evaluator.Run(policy, tokenizer, items, settings, RewardSets.For(grpo.RewardWeights, code),
            bar ? (done, total) => progress.Report(done, total, plainLine: "") : null);
        progress.Finish();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held-out {label}: pass@1 {report.Overall.PassAt1 * 100:F1}%, cons@{settings.Samples} {report.Overall.ConsAtK * 100:F1}% over {items.Count} questions"));
        return report;
    }

    private static string SaveCheckpoint(GrpoLearner learner, string runDir, long step, IPolicyTokenizer tokenizer)
    {
        string dir = new RunLayout(runDir).Checkpoint(step);
        // The learner's weights are the whole model, the expert shards' experts included.
        return PolicyCheckpoint.Save(learner.Config, learner.Weights(), dir, new CheckpointSaveOptions
        {
            ExtraFiles = TokenizerFiles(runDir, tokenizer),
            Overwrite = true,
            PartOf = learner.CheckpointPartOf,
            Metadata = new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) },
        });
    }
}
