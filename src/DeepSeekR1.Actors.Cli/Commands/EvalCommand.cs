using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Configuration;

using DeepSeekR1.Actors.Cli.Terminal;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 eval --checkpoint PATH</c>: samples K completions per held-out question with the R1-Zero template, and prints
/// pass@1, cons@K and the format rate per difficulty level as a table, then one final JSON line with the same figures.
/// </summary>
public static class EvalCommand
{
    private static readonly Option<string> Checkpoint = new("--checkpoint")
    {
        Description = "Checkpoint folder to evaluate (config.json + safetensors; a tokenizer.json inside is used when present)",
        Required = true,
    };

    private static readonly Option<string?> Task = new("--task") { Description = $"Task: {string.Join(" | ", TaskCatalog.Names)} (default r1.eval.task)" };

    private static readonly Option<int?> Samples = new("--samples") { Description = "K: completions per question (default r1.eval.samples)" };

    private static readonly Option<int?> Limit = new("--limit") { Description = "Questions to evaluate; 0 = all, for file-backed tasks only (default r1.eval.limit)" };

    private static readonly Option<string?> Data = new("--data") { Description = "Dataset folder or JSONL file of a gsm8k or jsonl task (default r1.eval.data)" };

    private static readonly Option<string?> Details = new("--details") { Description = "Write every question with its samples to this JSONL file" };

    // Details keep "<think>" and non-Latin text readable instead of \u-escaping them.
    private static readonly JsonSerializerOptions DetailsJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a checkpoint: pass@1 and cons@K over K samples per held-out question, by difficulty level")
        {
            Checkpoint, Task, Samples, Limit, Data, Details,
        };
        command.WithConfigOptions();
        command.SetAction(parse => Model.TensorKeepAlive.Run(() => Execute(parse)));
        return command;
    }

    /// <summary>
    /// Runs the evaluation <paramref name="parse"/> describes, writing the table and the final JSON line to the
    /// invocation's output and progress to its error stream.
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <returns>0 on success; 1 when the checkpoint, tokenizer or dataset cannot be used.</returns>
    /// <exception cref="ConfigException">A setting is invalid or names an unknown task.</exception>
    public static int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        var settings = Settings(config, parse);
        var source = Source(settings, config.Bind<QaJsonlFields>("r1.jsonl"));
        settings = settings with { Task = source.Name };
        // A code task's sandbox is checked before the model loads (exit code 3 without one).
        var code = CodeSandbox.For(config, source);
        string checkpoint = parse.GetValue(Checkpoint)!;

        try
        {
            TorchRuntime.Configure(config.GetInt("r1.torch-threads"), config.GetBool("r1.torch-keep-freed-memory"));
            Model.Kernels.KernelRuntime.Configure(Model.Kernels.KernelModes.Parse(config.GetString("r1.kernels.mode")));
            var device = TorchRuntime.ResolveDevice(config.GetString("r1.device"));
            var tokenizer = TokenizerFor(checkpoint, config);
            using var model = PolicyFactory.LoadCheckpoint(checkpoint, device, error, PolicyFactory.DtypeOf(config));
            if (tokenizer.VocabSize > model.Config.VocabSize)
            {
                error.WriteLine($"r1 eval: tokenizer '{tokenizer.Name}' has {tokenizer.VocabSize} ids but the checkpoint's vocabulary " +
                                $"has {model.Config.VocabSize}: it is not this checkpoint's tokenizer (set r1.tokenizer.kind)");
                return 1;
            }

            var questions = Fitting(Questions(source, settings), new PromptBudget(tokenizer, model.Config.ContextLength, settings.MaxNewTokens), error);
            var composer = RewardSets.EvaluationWith(code);
            var clock = Stopwatch.StartNew();
            var progress = ProgressReporter.For("r1 eval", "completions", error);
            var report = Evaluator.Run(model, tokenizer, questions, settings, composer,
                (done, total) => progress.Report(done, total, $"r1 eval: {done}/{total} completions ({clock.Elapsed.TotalSeconds:F1} s)"));
            progress.Finish();

            WriteTable(output, report, checkpoint);
            if (parse.GetValue(Details) is { } details) WriteDetails(details, report);
            var json = report.ToJson();
            // The paper's readability figure: the share of completions whose chain of thought mixes scripts.
            json["language_mixing"] = Rl.Rewards.LanguageMixing.Rate(report.Questions.SelectMany(q => q.Samples)
                .Select(s => Rl.Analysis.StepAnalysis.ChainOfThought(s.Text)));
            json["checkpoint"] = checkpoint;
            json["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
            output.WriteLine(json.ToJsonString(HumanJson.Compact));
            return 0;
        }
        catch (Exception e) when (e is CheckpointException or TokenizerFormatException or DatasetFormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"r1 eval: {e.Message}");
            return 1;
        }
    }

    /// <summary>r1.eval with the command-line options layered on top, checked.</summary>
    private static EvalSettings Settings(R1Config config, ParseResult parse)
    {
        var settings = config.Bind<EvalSettings>("r1.eval");
        settings = settings with
        {
            Task = parse.GetValue(Task) ?? settings.Task,
            Samples = parse.GetValue(Samples) ?? settings.Samples,
            Limit = parse.GetValue(Limit) ?? settings.Limit,
            Data = parse.GetValue(Data) ?? settings.Data,
        };
        try
        {
            return settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"r1.eval.{e.ParamName}: {Reason(e)}");
        }
    }

    internal static ITaskSource Source(EvalSettings settings, QaJsonlFields jsonl)
    {
        try
        {
            return TaskCatalog.Get(settings.Task, settings.Data.Length == 0 ? null : settings.Data, jsonl);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"r1.eval.task: {Reason(e)}");
        }
        catch (FileNotFoundException e)
        {
            throw new ConfigException($"r1.eval.data: {e.Message}");
        }
    }

    internal static IReadOnlyList<TaskItem> Questions(ITaskSource source, EvalSettings settings)
    {
        try
        {
            return EvalQuestions.Select(source, settings);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"r1.eval.{e.ParamName}: {Reason(e)}");
        }
    }

    // Questions whose prompt leaves no room for a completion are skipped with a count (the generator would refuse the
    // whole batch); none left is an error.
    internal static IReadOnlyList<TaskItem> Fitting(IReadOnlyList<TaskItem> questions, PromptBudget budget, TextWriter error, string command = "r1 eval")
    {
        // Nothing to evaluate is an error, not a table of zeros (a single data file may put every question in train).
        if (questions.Count == 0)
            throw new ConfigException($"{command}: the task has no questions in the split evaluated (a single JSONL file is split by question text; give a folder with test.jsonl, or more questions)");
        var fitting = questions.Where(budget.Fits).ToArray();
        if (fitting.Length == questions.Count) return questions;
        string first = questions.First(q => !budget.Fits(q)).Id;
        string why = $"longer than the {budget.MaxPromptTokens} tokens the model's {budget.MaxPositions} positions leave after max-new-tokens {budget.MaxNewTokens}";
        if (fitting.Length == 0) throw new ConfigException($"{command}: no question's prompt fits: every one is {why} (first: {first})");
        error.WriteLine($"{command}: warning: {questions.Count - fitting.Length} of {questions.Count} questions are skipped: their prompt is {why} (first: {first})");
        return fitting;
    }

    /// <summary>The checkpoint's own tokenizer.json when it has one (the tokenizer it was trained with), else r1.tokenizer.kind.</summary>
    internal static IPolicyTokenizer TokenizerFor(string checkpoint, R1Config config) =>
        File.Exists(Path.Combine(checkpoint, "tokenizer.json"))
            ? PolicyFactory.CreateTokenizer(checkpoint)
            : PolicyFactory.CreateTokenizer(config.GetString("r1.tokenizer.kind"));

    // ArgumentException appends " (Parameter 'name')" to its message; the configuration key already names it.
    internal static string Reason(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    private static void WriteTable(TextWriter output, EvalReport report, string checkpoint)
    {
        int k = report.Samples;
        output.WriteLine($"r1 eval: {report.Task} ({report.Split.ToString().ToLowerInvariant()}), {report.Overall.Questions} questions x {k} samples, checkpoint {checkpoint}");
        string[] headers = ["level", "questions", "pass@1", $"cons@{k}", $"pass@{k}", "format", "answered", "truncated", "tokens"];
        output.WriteLine(string.Join("  ", headers.Select((h, i) => i == 0 ? h.PadRight(5) : h.PadLeft(9))));
        foreach (var (level, summary) in report.ByLevel)
            output.WriteLine(Row(level == 0 ? "none" : level.ToString(CultureInfo.InvariantCulture), summary));
        output.WriteLine(Row("all", report.Overall));
        if (report.BySubject is { Count: > 0 } subjects)
        {
            int width = Math.Max(7, subjects.Keys.Max(s => s.Length));
            output.WriteLine(string.Join("  ", headers.Select((h, i) => i == 0 ? "subject".PadRight(width) : h.PadLeft(9))));
            foreach (var (subject, summary) in subjects) output.WriteLine(Row(subject, summary, width));
        }
        if (k > 1)
            output.WriteLine("pass@k  " + string.Join("  ", report.Overall.PassAtEachK.Select((p, i) =>
                $"k={i + 1}: {p.ToString("F3", CultureInfo.InvariantCulture)}")));
    }

    private static string Row(string label, EvalSummary s, int width = 5)
    {
        static string Cell(double value) => value.ToString("F3", CultureInfo.InvariantCulture).PadLeft(9);
        return string.Join("  ",
            label.PadRight(width), s.Questions.ToString(CultureInfo.InvariantCulture).PadLeft(9), Cell(s.PassAt1), Cell(s.ConsAtK), Cell(s.PassAtK),
            Cell(s.FormatRate), Cell(s.AnswerRate), Cell(s.TruncatedRate), s.MeanCompletionTokens.ToString("F1", CultureInfo.InvariantCulture).PadLeft(9));
    }

    private static void WriteDetails(string path, EvalReport report)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        using var writer = new StreamWriter(path);
        foreach (var question in report.Questions)
            writer.WriteLine(JsonSerializer.Serialize(question, DetailsJson));
    }
}
