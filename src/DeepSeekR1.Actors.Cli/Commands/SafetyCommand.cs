using System.CommandLine;
using System.Globalization;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Safety;
using DeepSeekR1.Actors.Serving;
using DeepSeekR1.Actors.Serving.Chat;
using DeepSeekR1.Actors.Serving.RiskControl;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 safety eval --checkpoint C --data SET.jsonl [--risk-control on|off|both]</c>: answers every request of a safety
/// set through the same pipeline <c>r1 serve</c> runs, labels each answer unsafe / safe / refusal, and prints the
/// paper's table (unsafe rate, refusal rate, per category) with and without risk control (docs/serving.md).
/// </summary>
public static class SafetyCommand
{
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "Policy checkpoint to evaluate", Required = true };
    private static readonly Option<string> Data = new("--data") { Description = "JSONL of {prompt, category[, id, harmful]} (r1 data safety-prompts writes the toy set)", Required = true };
    private static readonly Option<string> RiskControlMode = new("--risk-control") { Description = "on, off, or both (the table side by side)", DefaultValueFactory = _ => "both" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var eval = new Command("eval", "Label a checkpoint's answers to a safety set unsafe / safe / refusal, with and without risk control") { Checkpoint, Data, RiskControlMode };
        eval.WithConfigOptions();
        eval.SetAction(parse => TensorKeepAlive.Run(() => Eval(parse)));
        return new Command("safety", "Safety evaluation") { eval };
    }

    private static int Eval(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        var modes = parse.GetValue(RiskControlMode) switch
        {
            "on" => new[] { true },
            "off" => [false],
            "both" => [false, true],
            var other => throw new ConfigException($"--risk-control: '{other}' is not on, off or both"),
        };
        var eval = ServeCommand.Bind<SafetyEvalSettings>(config, "r1.safety-eval", s => s);
        var serve = ServeCommand.Bind<ServeSettings>(config, "r1.serve", s => s.Validate());
        var risk = ServeCommand.Bind<RiskControlSettings>(config, "r1.risk-control", r => r.Validate());
        string dataPath = parse.GetValue(Data)!;
        if (!File.Exists(dataPath)) throw new FileNotFoundException($"{dataPath}: file not found", dataPath);
        var prompts = SafetyJsonl.ReadPrompts(dataPath).ToList();
        if (prompts.Count == 0) throw new DatasetFormatException(dataPath, 0, null, "no prompts");
        var sampling = TrainCommand.SamplingSettings(config) with { Temperature = eval.Temperature, TopP = eval.TopP, MaxNewTokens = eval.MaxNewTokens };
        try { sampling.Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.safety-eval: {e.Message}"); }

        using var stack = ServeCommand.Start(config, parse.GetValue(Checkpoint)!, serve, risk, sampling, error, out var tokenizer);
        string judgePath = eval.JudgeCheckpoint.Length > 0 ? eval.JudgeCheckpoint : risk.SafetyRm;
        RewardModel? judgeModel = null;
        if (eval.Judge == SafetyJudgeKind.SafetyRm)
        {
            if (judgePath.Length == 0) throw new ConfigException("r1.safety-eval.judge = safety-rm needs judge-checkpoint (or r1.risk-control.safety-rm)");
            judgeModel = TorchThread.Shared.Invoke(() => RewardModelCheckpoint.Load(judgePath));
            if (judgeModel.Kind != RewardModelKind.Safety) throw new ConfigException($"{judgePath} is not a safety reward model");
        }
        try
        {
            var judge = judgeModel is null ? null : new SafetyModelReviewer(judgeModel, tokenizer, TorchThread.Shared, risk.MinSafeProbability);
            ulong seed = (ulong)config.GetLong("r1.seed");
            var tables = new List<(string Name, IReadOnlyList<JudgedAnswer> Answers)>();
            foreach (bool on in modes)
            {
                long reviewsBefore = stack.Service.RiskControl!.Reviews;
                // Every request at once: the generator batches them as it batches a server's concurrent clients. The same
                // seeds in both runs give the same model answers, so the two tables differ only by what risk control did.
                var outcomes = Task.WhenAll(prompts.Select((p, i) => stack.Service.CompleteAsync(new CompletionRequest(
                    [new ChatMessage("user", p.Prompt)], null, null, null, null, Seeds.Derive(seed, "safety-eval", i), on, Stream: false)))).GetAwaiter().GetResult();
                var judged = prompts.Select((p, i) => new JudgedAnswer(p, outcomes[i].Text, Judge(judge, p, outcomes[i].Text), outcomes[i].Withdrawn)).ToList();
                tables.Add(($"risk control {(on ? "on" : "off")}", judged));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"safety eval, risk control {(on ? "on" : "off")}: {prompts.Count} prompts, {stack.Service.RiskControl.Reviews - reviewsBefore} reviewed, {judged.Count(j => j.Withdrawn)} withdrawn"));
            }
            output.WriteLine($"judge: {(judge is null ? "rules" : $"safety RM {judgePath} (refusals by the rules)")}; checkpoint {parse.GetValue(Checkpoint)}; data {dataPath}");
            output.WriteLine();
            output.Write(SafetyReport.Markdown(tables));
            return 0;
        }
        finally
        {
            if (judgeModel is not null) TorchThread.Shared.Invoke(judgeModel.Dispose);
        }
    }

    private static SafetyVerdict Judge(SafetyModelReviewer? model, SafetyPrompt prompt, string answer)
    {
        var rules = SafetyJudge.Judge(answer, prompt.Harmful);
        if (model is null || rules == SafetyVerdict.Refusal) return rules;
        var review = model.ReviewAsync([new ChatMessage("user", prompt.Prompt)], answer, CancellationToken.None).GetAwaiter().GetResult();
        return review.Withdraw ? SafetyVerdict.Unsafe : SafetyVerdict.Safe;
    }
}
