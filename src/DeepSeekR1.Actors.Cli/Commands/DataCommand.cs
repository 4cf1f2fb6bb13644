using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.Distillation;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 data cold-start --task arithmetic:1-5 --count N --out FILE</c>: the cold-start SFT data of the DeepSeek-R1
/// recipe at toy scale (<see cref="ColdStartExamples"/>), as the prompt/completion JSONL <c>r1 sft --data</c> reads.
/// </summary>
public static partial class DataCommand
{
    private static readonly Option<string> Task = new("--task") { Description = "arithmetic or arithmetic-bilingual, each optionally :L or :L-H (levels 1-5)", DefaultValueFactory = _ => "arithmetic:1-5" };
    private static readonly Option<double> MixedShare = new("--mixed-share") { Description = "Share of the Chinese examples (arithmetic-bilingual) whose reasoning mixes in English", DefaultValueFactory = _ => 0 };
    private static readonly Option<int> Count = new("--count") { Description = "Examples to write", DefaultValueFactory = _ => 3000 };
    private static readonly Option<string> Out = new("--out") { Description = "JSONL file of {id, prompt, completion}", Required = true };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var coldStart = new Command("cold-start", "Careful, readable chain-of-thought examples for SFT before RL (R1 stage 1)") { Task, Count, Out, MixedShare };
        coldStart.WithConfigOptions();
        coldStart.SetAction(ColdStart);
        var data = new Command("data", "Build training data sets") { coldStart };
        foreach (var command in RewardDataCommands()) data.Subcommands.Add(command);
        return data;
    }

    private static int ColdStart(ParseResult parse)
    {
        var config = CommonOptions.Load(parse);
        string task = parse.GetValue(Task)!;
        int count = parse.GetValue(Count);
        if (count < 1) throw new ConfigException($"--count: {count} is not a positive count");
        var (lowest, highest, bilingual) = Levels(task);
        double mixedShare = parse.GetValue(MixedShare);
        if (mixedShare is < 0 or > 1) throw new ConfigException($"--mixed-share: {mixedShare} is not within 0..1");
        if (mixedShare > 0 && !bilingual) throw new ConfigException($"--mixed-share: only arithmetic-bilingual has Chinese examples to mix (not '{task}')");
        string path = Path.GetFullPath(parse.GetValue(Out)!);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".partial";
        using (var writer = new StreamWriter(temporary, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" })
            foreach (var (_, pair) in ColdStartExamples.Arithmetic(lowest, highest, count, (ulong)config.GetLong("r1.seed"), bilingual, mixedShare))
                writer.WriteLine(new JsonObject { ["id"] = pair.Id, ["prompt"] = pair.Prompt, ["completion"] = pair.Completion }.ToJsonString(HumanJson.Compact));
        File.Move(temporary, path, overwrite: true);
        parse.InvocationConfiguration.Output.WriteLine($"r1 data cold-start: {count} examples of {task} -> {path}");
        return 0;
    }

    // Only the built-in arithmetic task has a worked-solution generator; other tasks take any JSONL of pairs instead.
    private static (int Lowest, int Highest, bool Bilingual) Levels(string task)
    {
        var match = ArithmeticSpec().Match(task);
        if (!match.Success)
            throw new NotSupportedException($"cold-start examples are generated for the arithmetic task only (not '{task}'; the rest of the " +
                                            "tasks have no worked-solution generator); any JSONL of prompt/completion pairs can be given to r1 sft --data instead");
        int lowest = match.Groups[2].Success ? int.Parse(match.Groups[2].Value) : 1;
        int highest = match.Groups[3].Success ? int.Parse(match.Groups[3].Value) : match.Groups[2].Success ? lowest : 5;
        if (lowest < 1 || highest > 5 || lowest > highest) throw new ConfigException($"--task {task}: levels run from 1 to 5, lowest first");
        return (lowest, highest, match.Groups[1].Success);
    }

    [GeneratedRegex(@"^arithmetic(-bilingual)?(?::([0-9])(?:-([0-9]))?)?$")]
    private static partial Regex ArithmeticSpec();
}
