using System.CommandLine;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary>`r1 generate` on a real (tiny, random) checkpoint: reproducible samples, JSON lines, and bad input named.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-generate-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Checkpoint()
    {
        using var model = new PolicyModel(ModelConfig.Defaults with {
            VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
            MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
        }, seed: 3);
        return PolicyCheckpoint.Save(model, Path.Combine(folder, "ckpt"), new CheckpointSaveOptions());
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = new RootCommand { GenerateCommand.Create() }.Parse(["generate", .. args, "--set", "r1.sampling.max-new-tokens=8"])
            .Invoke(new InvocationConfiguration { Output = output, Error = new StringWriter(), EnableDefaultExceptionHandler = false });
        return (code, output.ToString());
    }

    [Fact]
    public void The_same_command_prints_the_same_samples_and_each_sample_differs()
    {
        string checkpoint = Checkpoint();
        var first = Run("--checkpoint", checkpoint, "--prompt", "What is 2 + 3?", "--samples", "3", "--json");
        var again = Run("--checkpoint", checkpoint, "--prompt", "What is 2 + 3?", "--samples", "3", "--json");
        Assert.Equal(0, first.Code);
        Assert.Equal(first.Output, again.Output);
        var lines = first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        Assert.Equal([0, 1, 2], lines.Select(l => (int)l["sample"]!));
        Assert.All(lines, l => Assert.Equal("What is 2 + 3?", (string)l["prompt"]!));
        Assert.All(lines, l => Assert.InRange((int)l["tokens"]!, 1, 8));
        Assert.True(lines.Select(l => (string)l["text"]!).Distinct().Count() > 1, "three samples of a random model should not all be equal");
    }

    [Fact]
    public void An_input_file_gives_each_prompt_its_samples_and_a_line_without_a_prompt_is_named()
    {
        string checkpoint = Checkpoint();
        string input = Path.Combine(folder, "prompts.jsonl");
        File.WriteAllLines(input, ["{\"prompt\": \"a\"}", "", "{\"question\": \"b\"}"]);
        var (code, output) = Run("--checkpoint", checkpoint, "--input", input, "--samples", "2");
        Assert.Equal(0, code);
        Assert.Equal(4, output.Split('\n').Count(l => l.StartsWith("--- prompt")));
        Assert.Contains("--- prompt 2, sample 2", output);

        File.WriteAllLines(input, ["{\"prompt\": \"a\"}", "{\"text\": \"b\"}"]);
        var error = Assert.Throws<DatasetFormatException>(() => Run("--checkpoint", checkpoint, "--input", input));
        Assert.Contains("prompts.jsonl:2", error.Message);
    }

    [Fact]
    public void Exactly_one_of_prompt_and_input_is_required()
    {
        string checkpoint = Checkpoint();
        Assert.Throws<ConfigException>(() => Run("--checkpoint", checkpoint));
        Assert.Throws<ConfigException>(() => Run("--checkpoint", checkpoint, "--prompt", "x", "--input", "y.jsonl"));
    }
}
