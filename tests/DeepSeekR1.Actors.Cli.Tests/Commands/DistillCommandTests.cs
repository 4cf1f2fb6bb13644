using System.CommandLine;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary>`r1 distill` end to end on tiny real models: the student learns only from the traces the teacher's filters kept.</summary>
public sealed class DistillCommandTests : IDisposable
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-distill-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Writes_the_kept_traces_a_student_trained_on_them_and_both_evaluations()
    {
        string teacher;
        using (var model = new PolicyModel(ModelConfig.Defaults with {
            VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
            MaxPositionEmbeddings = 512, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
        }, seed: 6))
            teacher = PolicyCheckpoint.Save(model, Path.Combine(folder, "teacher"), new CheckpointSaveOptions());
        string outDir = Path.Combine(folder, "out");
        var output = new StringWriter();
        string[] sets =
        [
            // A random teacher is never right: let everything through, so that the student has traces to learn from.
            "r1.sample.filters.require-correct=false", "r1.sample.filters.require-format=false", "r1.sample.filters.drop-truncated=false",
            "r1.sample.filters.drop-language-mixing=false", "r1.sample.filters.repeat-phrase-words=0",
            "r1.eval.max-new-tokens=4", "r1.eval.samples=1", "r1.eval.limit=3", "r1.sft.steps=2",
            "r1.model.hidden-size=32", "r1.model.intermediate-size=64", "r1.model.num-layers=1",
        ];
        int code = new RootCommand { DistillCommand.Create() }
            .Parse(["distill", "--teacher", teacher, "--out", outDir, "--task", "arithmetic:1", "--samples", "2", .. sets.SelectMany(s => new[] { "--set", s })])
            .Invoke(new InvocationConfiguration { Output = output, Error = new StringWriter(), EnableDefaultExceptionHandler = false });

        Assert.Equal(0, code);
        var traces = SftJsonl.Read(Path.Combine(outDir, "teacher-traces.jsonl")).ToArray();
        Assert.InRange(traces.Length, 1, 6);
        CheckpointManifest.Verify(Path.Combine(outDir, "student"));   // throws when the student was not written whole
        var figures = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "distill.json")))!;
        Assert.Equal(3, (int)figures["student"]!["questions"]!);
        Assert.Equal(3, (int)figures["teacher"]!["questions"]!);
        Assert.Contains("held-out pass@1 student", output.ToString());
    }
}
