using System.CommandLine;
using System.Globalization;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Sft;
using DeepSeekR1.Actors.Configuration;

using DeepSeekR1.Actors.Cli.Terminal;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 sft --data FILE.jsonl [--init CHECKPOINT] --out DIR</c>: supervised fine-tuning (R1's cold start, distillation).</summary>
public static class SftCommand
{
    /// <summary>Exit code for a data file that cannot be used (a bad line, a missing file).</summary>
    public const int DataError = 2;

    private static readonly Option<string> Data = new("--data") { Description = "JSONL file of {\"prompt\", \"completion\"} pairs", Required = true };
    private static readonly Option<string?> Init = new("--init") { Description = "Checkpoint to start from (default: a fresh r1.model)" };
    private static readonly Option<string> Out = new("--out") { Description = "Folder the fine-tuned checkpoint is written to", Required = true };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("sft", "Supervised fine-tuning on prompt/completion pairs (loss on completion tokens only)").WithConfigOptions();
        command.Options.Add(Data);
        command.Options.Add(Init);
        command.Options.Add(Out);
        command.SetAction(parse => Model.TensorKeepAlive.Run(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        string dataPath = parse.GetValue(Data)!;
        var config = CommonOptions.Load(parse);
        SftSettings settings;
        try { settings = config.Bind<SftSettings>("r1.sft").Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.sft.{e.ParamName}: {e.Message}"); }

        // Read the whole file before any model work, so a bad line costs nothing but the message.
        List<SftPair> pairs;
        try { pairs = SftJsonl.Read(dataPath).ToList(); }
        catch (DatasetFormatException e)
        {
            error.WriteLine($"r1 sft: {e.Message}");
            return DataError;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"r1 sft: {dataPath}: file not found");
            return DataError;
        }
        if (pairs.Count == 0)
        {
            error.WriteLine($"r1 sft: {dataPath}: no examples");
            return DataError;
        }

        var runtime = PolicyFactory.Start(config);
        string? init = parse.GetValue(Init);
        var tokenizer = init is not null && File.Exists(Path.Combine(init, "tokenizer.json"))
            ? HuggingFaceTokenizer.FromDirectory(init)
            : runtime.Tokenizer;
        string outDir = Path.GetFullPath(parse.GetValue(Out)!);
        var resumePoint = new SftResumePoint(outDir, SftResumePoint.Fingerprint(dataPath, settings, init));
        long resumeStep = resumePoint.Step(error);
        using var model = resumeStep > 0 ? PolicyCheckpoint.Load(resumePoint.Directory, runtime.Device, dtype: PolicyFactory.DtypeOf(config))
            : init is not null ? PolicyFactory.LoadCheckpoint(init, runtime.Device, error, PolicyFactory.DtypeOf(config)) : PolicyFactory.CreateRandom(config, runtime);
        // A sequence longer than the model's positions cannot be run, and an example whose prompt fills the window
        // has no completion token left to learn from (its loss would have no gradient): cap the one, skip the other.
        int context = model.Config.ContextLength;
        if (settings.MaxSeqLen > context)
        {
            error.WriteLine($"r1 sft: note: r1.sft.max-seq-len {settings.MaxSeqLen} is beyond the model's {context} positions; sequences are cut at {context}");
            settings = settings with { MaxSeqLen = context };
        }
        var encoded = pairs.Select(p => (Pair: p, Example: SftTokenization.Encode(tokenizer, p))).ToList();
        var examples = encoded.Where(e => e.Example.PromptIds.Count < settings.MaxSeqLen).Select(e => e.Example).ToList();
        if (examples.Count < encoded.Count)
        {
            string first = encoded.First(e => e.Example.PromptIds.Count >= settings.MaxSeqLen).Pair.Id;
            string why = $"prompt is at least max-seq-len ({settings.MaxSeqLen} tokens) long, so no completion token fits";
            if (examples.Count == 0)
            {
                error.WriteLine($"r1 sft: {dataPath}: no usable example: every {why} (first: {first})");
                return DataError;
            }
            error.WriteLine($"r1 sft: warning: {dataPath}: {encoded.Count - examples.Count} of {encoded.Count} examples are skipped: their {why} (first: {first})");
        }

        long totalSteps = SftTrainer.TotalSteps(settings, examples.Count);
        output.WriteLine($"sft: {examples.Count} examples, {totalSteps} steps, from {init ?? "a fresh model"}"
            + (resumeStep > 0 ? $"; resuming at step {resumeStep} from {resumePoint.Directory}" : ""));
        var resume = new SftResume(resumeStep, resumePoint.LoadOptimizer, (step, optimizer, masters) => resumePoint.Save(model, optimizer, masters, step));
        var progress = ProgressReporter.For("sft", "steps", output, startedAt: resumeStep);
        var result = SftTrainer.Train(model, examples, settings, p => progress.Report(p.Step, p.TotalSteps, Describe(p), Detail(p)), resume: resume,
            stepDone: step => progress.Tick(step, totalSteps));
        progress.Finish();
        var saved = Save(model, outDir, tokenizer, init, SafetensorsDType.F32, new Dictionary<string, string>
        {
            ["stage"] = "sft",
            ["data"] = Path.GetFileName(dataPath),
            ["steps"] = result.Steps.ToString(CultureInfo.InvariantCulture),
            ["final_loss"] = result.FinalLoss.ToString("G6", CultureInfo.InvariantCulture),
        });
        resumePoint.Delete();   // the run is whole: nothing to resume
        output.WriteLine($"sft: loss {result.FirstLoss:F4} -> {result.FinalLoss:F4} in {result.Seconds:F1} s; saved {saved}");
        return 0;
    }

    /// <summary>What a progress bar shows beside the count: the figures of <see cref="Describe"/> without the step.</summary>
    internal static string Detail(SftProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"loss {p.Loss:F4} lr {p.LearningRate:G3} tokens/s {p.TokensPerSecond:F0}");

    /// <summary>One progress line.</summary>
    internal static string Describe(SftProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} lr {p.LearningRate:G3} grad-norm {p.GradNorm:F3} tokens/s {p.TokensPerSecond:F0}");

    /// <summary>
    /// Saves <paramref name="model"/> with the tokenizer files next to the weights: copied from <paramref name="init"/>
    /// when it has them, otherwise written from the built-in tokenizer (other tokenizers are named by configuration).
    /// </summary>
    internal static string Save(PolicyModel model, string directory, IPolicyTokenizer tokenizer, string? init,
        SafetensorsDType dtype, IReadOnlyDictionary<string, string> metadata)
    {
        string staging = Path.Combine(Path.GetTempPath(), "r1-tokenizer-" + Guid.NewGuid().ToString("N"));
        try
        {
            var extra = new List<string>();
            if (init is not null && File.Exists(Path.Combine(init, "tokenizer.json")))
            {
                extra.AddRange(new[] { "tokenizer.json", "tokenizer_config.json" }.Select(f => Path.Combine(init, f)).Where(File.Exists));
            }
            else if (tokenizer is BuiltinTokenizer builtin)
            {
                builtin.Save(staging);
                extra.Add(Path.Combine(staging, "tokenizer.json"));
                extra.Add(Path.Combine(staging, "tokenizer_config.json"));
            }
            return PolicyCheckpoint.Save(model, directory,
                new CheckpointSaveOptions { DType = dtype, ExtraFiles = extra, Metadata = metadata, Overwrite = true });
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }
}
