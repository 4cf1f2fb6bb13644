using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Pretraining;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Configuration;

using DeepSeekR1.Actors.Cli.Terminal;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 pretrain --out DIR [--steps N] [--init CHECKPOINT]</c>: pretrains the built-in tiny base model (r1.model
/// shape, built-in tokenizer) on the generated arithmetic corpus, from scratch or onwards from a checkpoint, saves it in
/// BF16 with its tokenizer, then reloads the saved checkpoint and reports its held-out pass@1 per level.
/// </summary>
public static class PretrainCommand
{
    private static readonly Option<string> Out = new("--out") { Description = "Folder the base model is written to", Required = true };
    private static readonly Option<int?> Steps = new("--steps") { Description = "Optimizer steps (overrides r1.pretrain.steps)" };
    private static readonly Option<string?> Init = new("--init") { Description = "Continue from this checkpoint instead of fresh weights (overrides r1.pretrain.init)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("pretrain", "Pretrain the built-in tiny base model on the generated R1-Zero arithmetic corpus").WithConfigOptions();
        command.Options.Add(Out);
        command.Options.Add(Steps);
        command.Options.Add(Init);
        command.SetAction(parse => Model.TensorKeepAlive.Run(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var config = CommonOptions.Load(parse);
        var settings = config.Bind<PretrainSettings>("r1.pretrain");
        if (parse.GetValue(Steps) is { } steps) settings = settings with { Steps = steps };
        if (parse.GetValue(Init) is { } init) settings = settings with { Init = init };
        try { _ = settings.Corpus.Validate(); _ = settings.Trainer.Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.pretrain.{e.ParamName}: {e.Message}"); }

        var runtime = PolicyFactory.Start(config);
        var tokenizer = BuiltinTokenizer.LoadEmbedded();
        var shape = PolicyFactory.ModelConfigFor(config, tokenizer);
        string outDir = parse.GetValue(Out)!;
        var clock = Stopwatch.StartNew();
        string saved;
        using (var model = Initial(settings, shape, runtime, tokenizer))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pretrain: {model.parameters().Sum(p => p.numel()):N0} parameters, {settings.Steps} steps of {settings.BatchSize} documents, task {settings.Task}, careful-share {settings.CarefulShare}, wrong-share {settings.WrongShare}, reflect-share {settings.ReflectShare}, practice-share {settings.PracticeShare}"));
            var progress = ProgressReporter.For("pretrain", "steps", output);
            var result = Pretrainer.Run(model, tokenizer, settings, p => progress.Report(p.Step, p.TotalSteps, SftCommand.Describe(p), SftCommand.Detail(p)),
                stepDone: step => progress.Tick(step, settings.Steps));
            progress.Finish();
            saved = SftCommand.Save(model, outDir, tokenizer, null, SafetensorsDType.BF16, new Dictionary<string, string>
            {
                ["stage"] = "pretrain",
                ["steps"] = result.Steps.ToString(CultureInfo.InvariantCulture),
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["wrong_share"] = settings.WrongShare.ToString(CultureInfo.InvariantCulture),
                ["careful_share"] = settings.CarefulShare.ToString(CultureInfo.InvariantCulture),
                ["task"] = settings.Task,
                ["reflect_share"] = settings.ReflectShare.ToString(CultureInfo.InvariantCulture),
                ["reflect_slip_share"] = settings.ReflectSlipShare.ToString(CultureInfo.InvariantCulture),
                ["practice_share"] = settings.PracticeShare.ToString(CultureInfo.InvariantCulture),
                ["level_weights"] = string.Join(",", settings.LevelWeights.Select(w => w.ToString(CultureInfo.InvariantCulture))),
                ["slip_at"] = settings.SlipAt.ToString(),
                ["init"] = string.IsNullOrEmpty(settings.Init) ? "random" : settings.Init,
                ["final_loss"] = result.FinalLoss.ToString("G6", CultureInfo.InvariantCulture),
            });
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pretrain: loss {result.FirstLoss:F4} -> {result.FinalLoss:F4}, {result.Seconds:F0} s training ({result.TokensPerSecond:F0} tokens/s); saved {saved}"));
        }

        if (settings.EvalItems > 0)
        {
            // Probe what was shipped: the BF16 weights as they load back, not the float32 model still in memory.
            // Measured by the same evaluator as `r1 eval`: held-out arithmetic items of every level, accuracy and format rules.
            using var shipped = PolicyCheckpoint.Load(saved, runtime.Device, dtype: PolicyFactory.DtypeOf(config));
            var probe = EvalSettings.Defaults with {
                Task = ProbeTask(settings),
                Limit = settings.EvalItems,
                Samples = settings.EvalSamples,
                Temperature = settings.EvalTemperature,
                TopP = settings.EvalTopP,
                MaxNewTokens = settings.EvalMaxNewTokens,
                Seed = unchecked((ulong)settings.Seed),
            };
            var items = EvalQuestions.Select(TaskCatalog.Get(probe.Task), probe);
            // A bar on a terminal; a log gets only the probe's one line below.
            bool bar = ProgressReporter.IsTerminal(output);
            var probeProgress = new ProgressReporter("probe", "completions", output, bar);
            var report = Evaluator.Run(shipped, tokenizer, items, probe, RewardSets.Evaluation,
                bar ? (done, total) => probeProgress.Report(done, total, plainLine: "") : null);
            probeProgress.Finish();
            output.WriteLine("probe: " + report.ToJson().ToJsonString(HumanJson.Compact));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pretrain: done in {clock.Elapsed.TotalSeconds:F0} s"));
        return 0;
    }

    // The corpus's task at the levels it was written in (first to last level with weight), so the probe's items are ones
    // the model could have learnt: arithmetic:1-5 for the default weights, arithmetic:2 for a corpus of level 2 only.
    private static string ProbeTask(PretrainSettings settings)
    {
        var weights = settings.LevelWeights;
        int lowest = 1 + Enumerable.Range(0, weights.Count).First(i => weights[i] > 0);
        int highest = 1 + Enumerable.Range(0, weights.Count).Last(i => weights[i] > 0);
        return lowest == highest
            ? string.Create(CultureInfo.InvariantCulture, $"{settings.Task}:{lowest}")
            : string.Create(CultureInfo.InvariantCulture, $"{settings.Task}:{lowest}-{highest}");
    }

    // Fresh weights of the r1.model shape, or the weights of r1.pretrain.init (which must use the built-in tokenizer).
    private static PolicyModel Initial(PretrainSettings settings, ModelConfig shape, PolicyRuntime runtime, BuiltinTokenizer tokenizer)
    {
        if (string.IsNullOrEmpty(settings.Init)) return new PolicyModel(shape, runtime.Device, settings.Seed);
        string path = RepositoryPaths.Resolve(settings.Init)
            ?? throw new ConfigException($"r1.pretrain.init: checkpoint folder '{settings.Init}' does not exist");
        var model = PolicyCheckpoint.Load(path, runtime.Device, dtype: shape.Dtype);
        if (model.Config.VocabSize != tokenizer.VocabSize)
        {
            model.Dispose();
            throw new ConfigException($"r1.pretrain.init: '{settings.Init}' has a vocabulary of {model.Config.VocabSize}, the built-in tokenizer {tokenizer.VocabSize}");
        }
        return model;
    }
}
