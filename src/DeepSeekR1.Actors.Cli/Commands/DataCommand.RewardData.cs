using System.CommandLine;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Safety;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// The toy reward-model data (docs/reward-models.md): <c>r1 data preferences</c> (pairs for the helpfulness model),
/// <c>r1 data safety</c> (labelled responses for the safety model) and <c>r1 data safety-prompts</c> (the evaluation
/// requests <c>r1 safety eval</c> reads). Stand-ins for real data, in the formats real data is given in.
/// </summary>
public static partial class DataCommand
{
    private static readonly Option<string> JsonlOut = new("--out") { Description = "JSONL file to write", Required = true };
    private static readonly Option<int> PairCount = new("--count") { Description = "Pairs to write", DefaultValueFactory = _ => 3000 };

    private static IEnumerable<Command> RewardDataCommands()
    {
        var preferences = new Command("preferences", "Toy preference pairs {prompt, chosen, rejected} for r1 rm train --kind helpfulness") { PairCount, JsonlOut };
        preferences.WithConfigOptions();
        preferences.SetAction(parse =>
        {
            int count = parse.GetValue(PairCount);
            if (count < 1) throw new ConfigException($"--count: {count} is not a positive count");
            ulong seed = (ulong)CommonOptions.Load(parse).GetLong("r1.seed");
            return WriteJsonl(parse, "preferences", ToyPreferences.Generate(count, seed).Select(p => new JsonObject
            {
                ["id"] = p.Id, ["prompt"] = p.Prompt, ["chosen"] = p.Chosen, ["rejected"] = p.Rejected,
            }));
        });

        var safety = new Command("safety", "Toy labelled responses {prompt, response, label, category} for r1 rm train --kind safety") { JsonlOut };
        safety.WithConfigOptions();
        safety.SetAction(parse =>
        {
            ulong seed = (ulong)CommonOptions.Load(parse).GetLong("r1.seed");
            return WriteJsonl(parse, "safety", ToySafetySet.TrainingSet(seed).Select(s => new JsonObject
            {
                ["id"] = s.Id, ["prompt"] = s.Prompt, ["response"] = s.Response, ["label"] = s.Safe ? "safe" : "unsafe", ["category"] = s.Category,
            }));
        });

        var prompts = new Command("safety-prompts", "The toy safety evaluation set {id, prompt, category, harmful} for r1 safety eval") { JsonlOut };
        prompts.SetAction(parse => WriteJsonl(parse, "safety-prompts", ToySafetySet.EvaluationSet().Select(p => new JsonObject
        {
            ["id"] = p.Id, ["prompt"] = p.Prompt, ["category"] = p.Category, ["harmful"] = p.Harmful,
        })));
        var unaligned = new Command("unaligned-sft", "A deliberately unaligned SFT set {prompt, completion} (harmful requests complied with): a red-team baseline for r1 safety eval") { JsonlOut };
        unaligned.SetAction(parse => WriteJsonl(parse, "unaligned-sft", ToySafetySet.UnalignedSft().Select((p, i) => new JsonObject
        {
            // The R1-Zero template, as r1 serve renders a chat turn for the built-in models and as r1 sft expects it.
            ["id"] = $"unaligned-{i:D3}", ["prompt"] = Model.Tokenizers.PromptTemplates.R1Zero(p.Request), ["completion"] = " " + p.Completion,
        })));
        return [preferences, safety, prompts, unaligned];
    }

    // Written beside the target and renamed into place, so an interrupted run never leaves half a file under the name.
    private static int WriteJsonl(ParseResult parse, string what, IEnumerable<JsonObject> lines)
    {
        string path = Path.GetFullPath(parse.GetValue(JsonlOut)!);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".partial";
        int count = 0;
        using (var writer = new StreamWriter(temporary, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" })
            foreach (var line in lines)
            {
                writer.WriteLine(line.ToJsonString(HumanJson.Compact));
                count++;
            }
        File.Move(temporary, path, overwrite: true);
        parse.InvocationConfiguration.Output.WriteLine($"r1 data {what}: {count} lines -> {path}");
        return 0;
    }
}
