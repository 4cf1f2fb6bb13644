using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Distillation;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Configuration;

using DeepSeekR1.Actors.Cli.Terminal;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 sample</c>: rejection sampling, stage 3 of the DeepSeek-R1 recipe (and the teacher side of distillation).
/// Samples K completions per question of a task from a checkpoint, scores them with the rule rewards, keeps those that
/// pass <c>r1.sample.filters</c> (correct, well formed, complete, one language, not repetitive, each text once), and
/// writes them as prompt/completion pairs that <c>r1 sft --data</c> reads; the count of every verdict is printed.
/// </summary>
public static class SampleCommand
{
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "Checkpoint folder to sample from", Required = true };
    private static readonly Option<string> Out = new("--out") { Description = "JSONL file of the kept {prompt, completion} pairs (for r1 sft --data)", Required = true };
    private static readonly Option<string?> Task = new("--task") { Description = $"Task: {string.Join(" | ", TaskCatalog.Names)} (default r1.eval.task)" };
    private static readonly Option<int?> Samples = new("--samples") { Description = "K: completions per question before the filters (default r1.sample.samples)" };
    private static readonly Option<int?> Limit = new("--limit") { Description = "Questions to sample; 0 = all, for file-backed tasks only (default r1.eval.limit)" };
    private static readonly Option<string?> Split = new("--split") { Description = "train | test (default r1.sample.split)" };
    private static readonly Option<string?> Data = new("--data") { Description = "Dataset folder or JSONL file of a gsm8k or jsonl task (default r1.eval.data)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("sample", "Rejection sampling: keep a checkpoint's correct, readable completions as SFT data")
            { Checkpoint, Out, Task, Samples, Limit, Split, Data };
        command.WithConfigOptions();
        command.SetAction(parse => TensorKeepAlive.Run(() => Execute(parse)));
        return command;
    }

    /// <summary>Runs the command; 0 on success, 1 when the checkpoint or tokenizer cannot be used.</summary>
    /// <exception cref="ConfigException">A setting or option is invalid.</exception>
    public static int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        var settings = Settings(config, parse);
        RejectionFilters filters;
        try { filters = config.Bind<RejectionFilters>("r1.sample.filters").Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.sample.filters.{e.ParamName}: {EvalCommand.Reason(e)}"); }
        var source = EvalCommand.Source(settings, config.Bind<QaJsonlFields>("r1.jsonl"));
        settings = settings with { Task = source.Name };
        // A code task's sandbox is checked before the model loads (exit code 3 without one).
        var code = CodeSandbox.For(config, source);
        string checkpoint = parse.GetValue(Checkpoint)!;
        string outFile = Path.GetFullPath(parse.GetValue(Out)!);

        try
        {
            TorchRuntime.Configure(config.GetInt("r1.torch-threads"), config.GetBool("r1.torch-keep-freed-memory"));
            Model.Kernels.KernelRuntime.Configure(Model.Kernels.KernelModes.Parse(config.GetString("r1.kernels.mode")));
            var device = TorchRuntime.ResolveDevice(config.GetString("r1.device"));
            var tokenizer = EvalCommand.TokenizerFor(checkpoint, config);
            using var model = PolicyFactory.LoadCheckpoint(checkpoint, device, error, PolicyFactory.DtypeOf(config));
            var items = EvalCommand.Fitting(EvalCommand.Questions(source, settings),
                new PromptBudget(tokenizer, model.Config.ContextLength, settings.MaxNewTokens), error, "r1 sample");
            var composer = RewardSets.EvaluationWith(code);
            var clock = Stopwatch.StartNew();
            int chunk = config.GetInt("r1.sample.chunk-questions");
            if (chunk < 1) throw new ConfigException($"r1.sample.chunk-questions: {chunk} is below 1");
            // In chunks of questions, each appended to OUT.partial and recorded in OUT.progress.json: a killed run
            // continues after its last recorded chunk. Seeds derive from a question's index in the whole list, so the
            // kept lines are the same however the run is cut.
            var progress = new SampleProgress(outFile, SampleProgress.Fingerprint(checkpoint, settings, filters, items));
            var state = progress.Load(error);
            if (state.QuestionsDone > 0) output.WriteLine($"r1 sample: resuming after {state.QuestionsDone} of {items.Count} questions ({progress.File})");
            var bar = ProgressReporter.For("r1 sample", "completions", error, startedAt: (long)state.QuestionsDone * settings.Samples);
            using (var partial = progress.OpenPartial(state))
            {
                var writer = new StreamWriter(partial, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
                for (int start = state.QuestionsDone; start < items.Count; start += chunk)
                {
                    var slice = items.Skip(start).Take(chunk).ToArray();
                    int first = start;
                    var report = Evaluator.Run(model, tokenizer, slice, settings, composer,
                        (done, total) => bar.Report((long)first * settings.Samples + done, (long)items.Count * settings.Samples,
                            $"r1 sample: {first * settings.Samples + done}/{items.Count * settings.Samples} completions ({clock.Elapsed.TotalSeconds:F1} s)"),
                        firstIndex: start);
                    var outcome = RejectionSampling.Select(report.Questions, filters);
                    Write(writer, outcome, slice);
                    writer.Flush();
                    state = state.Add(slice.Length, outcome, partial.Length);
                    progress.Save(state);
                }
            }
            bar.Finish();
            progress.Finish();

            output.WriteLine($"r1 sample: {settings.Task} ({settings.Split.ToString().ToLowerInvariant()}), {items.Count} questions x {settings.Samples} samples from {checkpoint}");
            int judged = state.Counts.Values.Sum();
            foreach (var (verdict, count) in state.Counts)
                output.WriteLine($"  {Name(verdict),-15} {count,7}  {(judged == 0 ? 0 : 100.0 * count / judged),5:F1}%");
            output.WriteLine($"r1 sample: kept {state.Counts[Verdict.Kept]} of {judged} completions ({state.QuestionsWithAny} of {items.Count} questions have one) -> {outFile}");
            var json = new JsonObject
            {
                ["task"] = settings.Task, ["split"] = settings.Split.ToString().ToLowerInvariant(), ["checkpoint"] = checkpoint,
                ["questions"] = items.Count, ["samples"] = settings.Samples, ["judged"] = judged, ["questions_with_kept"] = state.QuestionsWithAny,
                ["out"] = outFile, ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            };
            foreach (var (verdict, count) in state.Counts) json[Name(verdict)] = count;
            output.WriteLine(json.ToJsonString(HumanJson.Compact));
            return 0;
        }
        catch (Exception e) when (e is CheckpointException or TokenizerFormatException or DatasetFormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"r1 sample: {e.Message}");
            return 1;
        }
    }

    // snake_case, as the JSON line and the table print it (kept, incorrect, language_mixed, over_quota, ...).
    private static string Name(Verdict verdict) => JsonNamingPolicy.SnakeCaseLower.ConvertName(verdict.ToString());

    // One line per kept completion, with the exact prompt text it was sampled from, so SFT trains on what was sampled.
    private static void Write(StreamWriter writer, RejectionOutcome outcome, IReadOnlyList<TaskItem> items)
    {
        foreach (var kept in outcome.Kept)
        {
            var item = items[kept.QuestionIndex];
            writer.WriteLine(new JsonObject
            {
                ["id"] = $"{item.Id}-s{kept.Sample}", ["prompt"] = PromptFormat.Text(item), ["completion"] = kept.Completion.Text,
                ["question_id"] = item.Id, ["level"] = item.Level, ["gold"] = item.Gold, ["answer"] = kept.Completion.Answer,
            }.ToJsonString(HumanJson.Compact));
        }
    }

    // r1.eval's sampling settings, with r1.sample's K and split, then the options.
    private static EvalSettings Settings(R1Config config, ParseResult parse)
    {
        var settings = config.Bind<EvalSettings>("r1.eval");
        string split = parse.GetValue(Split) ?? config.GetString("r1.sample.split");
        settings = settings with
        {
            Task = parse.GetValue(Task) ?? settings.Task,
            Samples = parse.GetValue(Samples) ?? config.GetInt("r1.sample.samples"),
            Limit = parse.GetValue(Limit) ?? settings.Limit,
            Data = parse.GetValue(Data) ?? settings.Data,
            Split = split switch
            {
                "train" => TaskSplit.Train,
                "test" => TaskSplit.Test,
                _ => throw new ConfigException($"r1.sample.split: '{split}' is not train or test"),
            },
        };
        try { return settings.Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.sample.{e.ParamName}: {EvalCommand.Reason(e)}"); }
    }
}
