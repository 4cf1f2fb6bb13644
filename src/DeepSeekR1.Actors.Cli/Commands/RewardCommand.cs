using System.CommandLine;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 reward score --task math|gsm8k|code --input FILE.jsonl</c>: score completions with the rule-based rewards.</summary>
public static class RewardCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "math | gsm8k (gsm8k golds may be raw '#### n' answers) | code (golds are 'assert CALL == EXPECTED' lines; programs run in the sandbox)", Required = true };
        var input = new Option<string>("--input") { Description = "JSONL file; each line has 'gold' and 'completion'", Required = true };
        var score = new Command("score", "Score each line; writes one JSON line per input line, in order. Exit code 2 if any line was malformed")
        {
            task, input,
        }.WithConfigOptions();
        score.SetAction(parse =>
        {
            if (!RewardScoringJob.TryParseTask(parse.GetValue(task)!, out var kind))
            {
                Console.Error.WriteLine($"r1 reward score: unknown --task '{parse.GetValue(task)}' (math | gsm8k | code)");
                return 2;
            }
            string path = parse.GetValue(input)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"r1 reward score: input file '{path}' does not exist");
                return 2;
            }
            using var reader = new StreamReader(path);
            // The total is weighted as training weighs it (r1.grpo's accuracy, format and language weights).
            var config = CommonOptions.Load(parse);
            var weights = config.Bind<GrpoSettings>("r1.grpo").RewardWeights;
            // Code answers run in the sandbox, checked before the first line (exit code 3 without bubblewrap).
            var job = new RewardScoringJob(kind, weights, code: kind == RewardScoringTask.Code ? CodeSandbox.Start(config) : null);
            bool malformed = job.Run(reader, Console.Out, path);
            // On stderr, so that stdout stays one JSON line per input line.
            if (job.Summary is { } s)
                Console.Error.WriteLine(s.SlowestLine == 0
                    ? FormattableString.Invariant($"r1 reward score: {s.Lines} line{(s.Lines == 1 ? "" : "s")} in {s.Seconds:F2} s")
                    : FormattableString.Invariant($"r1 reward score: {s.Lines} lines in {s.Seconds:F2} s; slowest line {s.SlowestLine} took {s.SlowestSeconds * 1000:F1} ms (the first, which also loads the verifier, {s.FirstLineSeconds * 1000:F1} ms)"));
            return malformed ? 2 : 0;
        });
        var command = new Command("reward", "Rule-based rewards");
        command.Subcommands.Add(score);
        return command;
    }
}
