using System.CommandLine;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary>`r1 sample` on a real (tiny, random) checkpoint: what it writes is what `r1 sft --data` reads, and the counts add up.</summary>
public sealed class SampleCommandTests : IDisposable
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-sample-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Checkpoint()
    {
        using var model = new PolicyModel(ModelConfig.Defaults with {
            VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
            MaxPositionEmbeddings = 512, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
        }, seed: 4);
        return PolicyCheckpoint.Save(model, Path.Combine(folder, "ckpt"), new CheckpointSaveOptions());
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = new RootCommand { SampleCommand.Create() }
            .Parse(["sample", .. args, "--set", "r1.eval.max-new-tokens=6", "--set", "r1.eval.batch-size=16"])
            .Invoke(new InvocationConfiguration { Output = output, Error = new StringWriter(), EnableDefaultExceptionHandler = false });
        return (code, output.ToString());
    }

    [Fact]
    public void With_every_filter_on_a_random_model_keeps_nothing_and_with_them_off_it_keeps_each_distinct_text_as_an_sft_pair()
    {
        string checkpoint = Checkpoint();
        string strict = Path.Combine(folder, "strict.jsonl");
        var (code, output) = Run("--checkpoint", checkpoint, "--task", "arithmetic:1", "--limit", "4", "--samples", "3", "--out", strict);
        Assert.Equal(0, code);
        var figures = JsonNode.Parse(output.Trim().Split('\n')[^1])!.AsObject();
        Assert.Equal(12, (int)figures["judged"]!);
        Assert.Equal(0, (int)figures["kept"]!);
        Assert.Equal(12, (int)figures["incorrect"]!);
        Assert.Empty(File.ReadAllLines(strict));

        string loose = Path.Combine(folder, "loose.jsonl");
        (code, output) = Run("--checkpoint", checkpoint, "--task", "arithmetic:1", "--limit", "4", "--samples", "3", "--out", loose,
            "--set", "r1.sample.filters.require-correct=false", "--set", "r1.sample.filters.require-format=false",
            "--set", "r1.sample.filters.drop-truncated=false", "--set", "r1.sample.filters.drop-language-mixing=false",
            "--set", "r1.sample.filters.repeat-phrase-words=0");
        Assert.Equal(0, code);
        figures = JsonNode.Parse(output.Trim().Split('\n')[^1])!.AsObject();
        int kept = (int)figures["kept"]!;
        Assert.Equal(12, kept + (int)figures["duplicate"]!);
        var pairs = SftJsonl.Read(loose).ToArray();
        Assert.Equal(kept, pairs.Length);
        // The exact prompt the completion was sampled from: the R1-Zero template around the question.
        Assert.All(pairs, p => Assert.Matches(@"^A conversation between User and Assistant\..*User: .+\. Assistant:$", p.Prompt));
        Assert.Equal(pairs.Length, pairs.Select(p => p.Id).Distinct().Count());
        Assert.False(File.Exists(loose + ".partial"));
    }

    [Fact]
    public void A_bad_filter_setting_or_split_is_an_error_naming_the_key()
    {
        string checkpoint = Checkpoint();
        string outFile = Path.Combine(folder, "x.jsonl");
        Assert.Contains("r1.sample.filters.max-per-question",
            Assert.Throws<ConfigException>(() => Run("--checkpoint", checkpoint, "--out", outFile, "--set", "r1.sample.filters.max-per-question=-1")).Message);
        Assert.Contains("r1.sample.split",
            Assert.Throws<ConfigException>(() => Run("--checkpoint", checkpoint, "--out", outFile, "--split", "dev")).Message);
    }
}
