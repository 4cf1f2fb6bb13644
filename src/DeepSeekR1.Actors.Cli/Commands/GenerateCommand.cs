using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 generate</c>: completions of a checkpoint for one prompt or a JSONL file of them, sampled with
/// <c>r1.sampling</c> (what the run's samplers use). A question goes through the R1-Zero template the policy was trained
/// with unless <c>--raw</c> is given; each sample's seed derives from (r1.seed, prompt, sample), so the same command
/// prints the same text.
/// </summary>
public static class GenerateCommand
{
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "Checkpoint folder to sample from", Required = true };
    private static readonly Option<string?> Prompt = new("--prompt") { Description = "One question (or, with --raw, the whole prompt text)" };
    private static readonly Option<string?> Input = new("--input") { Description = "JSONL file, one object per line with a \"prompt\" (or \"question\") string" };
    private static readonly Option<int> Samples = new("--samples") { Description = "Completions per prompt", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> Raw = new("--raw") { Description = "Use the prompt text as given, without the R1-Zero template" };
    private static readonly Option<bool> Json = new("--json") { Description = "One JSON line per completion (prompt, sample, text, tokens, finish)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("generate", "Sample completions of a checkpoint for a prompt or a JSONL file of prompts")
            { Checkpoint, Prompt, Input, Samples, Raw, Json };
        command.WithConfigOptions();
        command.SetAction(parse => TensorKeepAlive.Run(() => Execute(parse)));
        return command;
    }

    /// <summary>Runs the command; 0 on success, 1 when the checkpoint or tokenizer cannot be used.</summary>
    /// <exception cref="ConfigException">The options or a setting are invalid.</exception>
    public static int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        var sampling = TrainCommand.SamplingSettings(config);
        int samples = parse.GetValue(Samples);
        if (samples < 1) throw new ConfigException($"--samples: {samples} is not a positive count");
        var prompts = Prompts(parse.GetValue(Prompt), parse.GetValue(Input));
        string checkpoint = parse.GetValue(Checkpoint)!;
        bool raw = parse.GetValue(Raw), json = parse.GetValue(Json);
        ulong seed = (ulong)config.GetLong("r1.seed");

        try
        {
            TorchRuntime.Configure(config.GetInt("r1.torch-threads"), config.GetBool("r1.torch-keep-freed-memory"));
            Model.Kernels.KernelRuntime.Configure(Model.Kernels.KernelModes.Parse(config.GetString("r1.kernels.mode")));
            var device = TorchRuntime.ResolveDevice(config.GetString("r1.device"));
            var tokenizer = File.Exists(Path.Combine(checkpoint, "tokenizer.json"))
                ? PolicyFactory.CreateTokenizer(checkpoint)
                : PolicyFactory.CreateTokenizer(config.GetString("r1.tokenizer.kind"));
            using var model = PolicyFactory.LoadCheckpoint(checkpoint, device, error, PolicyFactory.DtypeOf(config));
            model.eval();
            // As the run's samplers do: stop at the tokenizer's end token unless r1.sampling names stop tokens.
            if (sampling.StopTokenIds.Count == 0) sampling = sampling with { StopTokenIds = [tokenizer.EosId] };
            for (int p = 0; p < prompts.Count; p++)
            {
                var ids = tokenizer.Encode(raw ? prompts[p] : PromptTemplates.R1Zero(prompts[p]));
                int room = model.Config.ContextLength - ids.Count;
                if (room <= 0)
                    throw new ConfigException($"prompt {p + 1} is {ids.Count} tokens, which fills the model's {model.Config.ContextLength}-token context");
                var options = sampling with { MaxNewTokens = Math.Min(sampling.MaxNewTokens, room) };
                var requests = Enumerable.Range(0, samples).Select(s => new GenerationRequest(ids, Seeds.Derive(seed, "generate", p, s))).ToArray();
                var results = PolicyGenerator.Generate(model, requests, options);
                for (int s = 0; s < results.Count; s++)
                {
                    string text = tokenizer.Decode(results[s].TokenIds, skipSpecialTokens: true);
                    if (json)
                        output.WriteLine(new JsonObject
                        {
                            ["prompt"] = prompts[p], ["sample"] = s, ["text"] = text,
                            ["tokens"] = results[s].TokenIds.Count, ["finish"] = results[s].Finish.ToString().ToLowerInvariant(),
                        }.ToJsonString(HumanJson.Compact));
                    else
                        output.WriteLine($"--- prompt {p + 1}, sample {s + 1} ({results[s].TokenIds.Count} tokens, {results[s].Finish.ToString().ToLowerInvariant()})\n{text}");
                }
            }
            return 0;
        }
        catch (Exception e) when (e is CheckpointException or TokenizerFormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"r1 generate: {e.Message}");
            return 1;
        }
    }

    // Exactly one of --prompt and --input; a JSONL line without a prompt string is an error naming the line.
    private static IReadOnlyList<string> Prompts(string? prompt, string? input)
    {
        if ((prompt is null) == (input is null)) throw new ConfigException("give exactly one of --prompt TEXT and --input FILE.jsonl");
        if (prompt is not null) return [prompt];
        var prompts = new List<string>();
        foreach (var (number, line) in StrictUtf8Lines.Read(input!))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(line); }
            catch (JsonException e) { throw new DatasetFormatException(input!, number, null, $"not a JSON object ({e.Message})", e); }
            var text = node is JsonObject o ? (o["prompt"] ?? o["question"]) : null;
            if (text is not JsonValue v || !v.TryGetValue<string>(out var s))
                throw new DatasetFormatException(input!, number, "prompt", "no \"prompt\" (or \"question\") string");
            prompts.Add(s);
        }
        if (prompts.Count == 0) throw new ConfigException($"--input {input}: the file holds no prompt");
        return prompts;
    }
}
