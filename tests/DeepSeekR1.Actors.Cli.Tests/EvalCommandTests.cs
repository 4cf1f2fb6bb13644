using System.CommandLine;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Tests;

public sealed class EvalCommandTests : IDisposable
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-eval-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Saves a tiny random policy over the builtin vocabulary, optionally with the tokenizer files inside.</summary>
    private string SaveTinyCheckpoint(string name, bool withTokenizer)
    {
        using var model = new PolicyModel(ModelConfig.Defaults with {
            VocabSize = Tokenizer.VocabSize,
            HiddenSize = 32,
            IntermediateSize = 64,
            NumLayers = 2,
            NumHeads = 2,
            NumKvHeads = 1,
            MaxPositionEmbeddings = 512,
            EosTokenId = Tokenizer.EosId,
            PadTokenId = Tokenizer.PadId,
        }, seed: 5);
        var extra = new List<string>();
        if (withTokenizer)
        {
            string tokenizerFolder = Path.Combine(_folder, "tokenizer");
            Tokenizer.Save(tokenizerFolder);
            extra.AddRange(Directory.GetFiles(tokenizerFolder));
        }
        return PolicyCheckpoint.Save(model, Path.Combine(_folder, name), new CheckpointSaveOptions { ExtraFiles = extra });
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = new RootCommand { EvalCommand.Create() }.Parse(args)
            .Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Evaluates_a_checkpoint_and_ends_with_a_json_line_of_the_figures()
    {
        string checkpoint = SaveTinyCheckpoint("ckpt", withTokenizer: false);
        string details = Path.Combine(_folder, "out", "details.jsonl");
        var (code, output, error) = Run("eval", "--checkpoint", checkpoint, "--samples", "2", "--limit", "5",
            "--details", details, "--set", "r1.eval.max-new-tokens=4", "--set", "r1.eval.batch-size=4");

        Assert.True(code == 0, error);
        var lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("r1 eval: arithmetic (test), 5 questions x 2 samples", lines[0]);
        Assert.Contains("cons@2", lines[1]);
        Assert.StartsWith("all", lines[^3]);
        Assert.Matches(@"^pass@k  k=1: \d\.\d{3}  k=2: \d\.\d{3}$", lines[^2]);

        var json = JsonNode.Parse(lines[^1])!.AsObject();
        Assert.Equal("arithmetic", (string?)json["task"]);
        Assert.Equal(2, (int?)json["samples"]);
        Assert.Equal(5, (int?)json["questions"]);
        Assert.Equal(10, (int?)json["completions"]);
        Assert.InRange((double)json["pass_at_1"]!, 0, 1);
        Assert.InRange((double)json["cons_at_k"]!, 0, 1);
        Assert.InRange((double)json["format_rate"]!, 0, 1);
        Assert.InRange((double)json["mean_completion_tokens"]!, 1, 4);
        // Arithmetic's sequence cycles through levels 1..5, so five questions cover each level once.
        var levels = json["by_level"]!.AsObject();
        Assert.Equal(["1", "2", "3", "4", "5"], levels.Select(l => l.Key));
        Assert.All(levels, l => Assert.Equal(1, (int?)l.Value!["questions"]));
        Assert.Contains("10/10 completions", error);

        var records = File.ReadAllLines(details).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        Assert.Equal(5, records.Length);
        Assert.All(records, r => Assert.Equal(2, r["samples"]!.AsArray().Count));
        Assert.Equal(records.Select(r => (int)r["level"]!), [1, 2, 3, 4, 5]);
    }

    [Fact]
    public void Math500_prints_the_table_by_level_and_by_subject_and_the_pass_at_k_curve()
    {
        string checkpoint = SaveTinyCheckpoint("math", withTokenizer: false);
        var (code, output, error) = Run("eval", "--task", "math500", "--checkpoint", checkpoint, "--samples", "3", "--limit", "12",
            "--set", "r1.eval.max-new-tokens=4", "--set", "r1.eval.batch-size=12");
        Assert.True(code == 0, error);
        var lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("r1 eval: math500 (test), ", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("subject ", StringComparison.Ordinal));
        var json = JsonNode.Parse(lines[^1])!.AsObject();
        var subjects = json["by_subject"]!.AsObject();
        Assert.NotEmpty(subjects);
        Assert.Equal((int)json["questions"]!, subjects.Sum(s => (int)s.Value!["questions"]!));
        Assert.Equal((int)json["questions"]!, json["by_level"]!.AsObject().Where(l => l.Key != "0").Sum(l => (int)l.Value!["questions"]!));
        Assert.Equal(3, json["pass_at"]!.AsArray().Count);
        foreach (var subject in subjects.Select(s => s.Key)) Assert.Contains(lines, l => l.StartsWith(subject, StringComparison.Ordinal));
    }

    [Fact]
    public void Uses_the_tokenizer_inside_the_checkpoint_over_the_configured_one()
    {
        // cl100k_base has ~100k ids and would not fit this 640-id model; the checkpoint's own tokenizer.json must win.
        string checkpoint = SaveTinyCheckpoint("with-tokenizer", withTokenizer: true);
        var (code, output, error) = Run("eval", "--checkpoint", checkpoint, "--samples", "1", "--limit", "2",
            "--set", "r1.eval.max-new-tokens=2", "--set", "r1.tokenizer.kind=cl100k_base");
        Assert.True(code == 0, error);
        Assert.Equal(2, (int?)JsonNode.Parse(output.TrimEnd().Split('\n')[^1])!["questions"]);
    }

    [Fact]
    public void A_missing_checkpoint_is_reported_with_exit_code_1()
    {
        var (code, _, error) = Run("eval", "--checkpoint", Path.Combine(_folder, "nothing-here"), "--limit", "1");
        Assert.Equal(1, code);
        Assert.StartsWith("r1 eval:", error);
    }

    [Fact]
    public void Bad_settings_are_configuration_errors_that_name_the_key()
    {
        string checkpoint = Path.Combine(_folder, "unused");
        Assert.Equal("r1.eval.samples: must be at least 1",
            Assert.Throws<ConfigException>(() => Run("eval", "--checkpoint", checkpoint, "--samples", "0")).Message);
        Assert.StartsWith("r1.eval.task: Unknown task 'poetry'",
            Assert.Throws<ConfigException>(() => Run("eval", "--checkpoint", checkpoint, "--task", "poetry")).Message);
        Assert.StartsWith("r1.eval.limit:",
            Assert.Throws<ConfigException>(() => Run("eval", "--checkpoint", checkpoint, "--limit", "-1")).Message);
    }

    [Fact]
    public void A_generated_task_refuses_to_evaluate_all_of_its_endless_split()
    {
        string checkpoint = SaveTinyCheckpoint("ckpt", withTokenizer: false);
        Assert.StartsWith("r1.eval.limit: task 'arithmetic' generates questions without end",
            Assert.Throws<ConfigException>(() => Run("eval", "--checkpoint", checkpoint, "--limit", "0")).Message);
    }
}
