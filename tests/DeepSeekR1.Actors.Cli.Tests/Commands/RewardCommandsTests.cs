using System.CommandLine;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.RewardModels;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary>r1 data preferences / safety / safety-prompts, r1 rm train and r1 safety eval, run as the command line runs them.</summary>
public sealed class RewardCommandsTests : IDisposable
{
    private static readonly string BaseModel = RepositoryPaths.Resolve("models/base-tiny")!;
    private readonly string _folder = Directory.CreateTempSubdirectory("r1-rm-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Exit, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var root = new RootCommand { DataCommand.Create(), RmCommand.Create(), SafetyCommand.Create() };
        int exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false });
        return (exit, output.ToString());
    }

    private string File_(string name) => Path.Combine(_folder, name);

    [Fact]
    public void The_toy_data_commands_write_files_the_readers_accept()
    {
        Assert.Equal(0, Run("data", "preferences", "--count", "50", "--out", File_("p.jsonl")).Exit);
        Assert.Equal(0, Run("data", "safety", "--out", File_("s.jsonl")).Exit);
        Assert.Equal(0, Run("data", "safety-prompts", "--out", File_("e.jsonl")).Exit);
        Assert.Equal(50, RewardJsonl.ReadPreferences(File_("p.jsonl")).Count());
        Assert.Contains(RewardJsonl.ReadSafety(File_("s.jsonl")), s => !s.Safe);
        Assert.Contains(Rl.Safety.SafetyJsonl.ReadPrompts(File_("e.jsonl")), p => !p.Harmful);
        Assert.Equal(0, Run("data", "unaligned-sft", "--out", File_("u.jsonl")).Exit);
        var unaligned = SftJsonl.Read(File_("u.jsonl")).ToList();
        Assert.Equal(69, unaligned.Count);
        Assert.All(unaligned, u => Assert.EndsWith(". Assistant:", u.Prompt));   // the R1-Zero template r1 serve renders
    }

    [Fact]
    public void A_malformed_line_is_refused_with_file_and_line_before_any_model_work()
    {
        File.WriteAllLines(File_("bad.jsonl"), ["""{"prompt":"p","chosen":"a","rejected":"b"}""", """{"prompt":"p","chosen":"a"}"""]);
        var e = Assert.Throws<DatasetFormatException>(() =>
            Run("rm", "train", "--kind", "helpfulness", "--data", File_("bad.jsonl"), "--init", BaseModel, "--out", File_("rm")));
        Assert.StartsWith($"{File_("bad.jsonl")}:2: key 'rejected'", e.Message);
        Assert.True(ErrorText.IsBadInput(e));   // exit code 2
        Assert.False(Directory.Exists(File_("rm")));
    }

    [Fact]
    public void A_short_safety_run_saves_a_reward_model_that_loads_back_with_its_kind_and_held_out_accuracy()
    {
        Run("data", "safety", "--out", File_("s.jsonl"));
        var (exit, output) = Run("rm", "train", "--kind", "safety", "--data", File_("s.jsonl"), "--init", BaseModel, "--out", File_("rm"),
            "--set", "r1.rm.steps=3", "--set", "r1.rm.batch-size=4", "--set", "r1.rm.held-out-share=0.3");
        Assert.Equal(0, exit);
        Assert.Contains("held-out classification accuracy", output);
        using var model = RewardModelCheckpoint.Load(File_("rm"));
        Assert.Equal(RewardModelKind.Safety, model.Kind);
        var metadata = CheckpointManifest.Read(File_("rm")).Metadata;
        Assert.Equal("3", metadata["steps"]);
        Assert.True(double.Parse(metadata["held_out_accuracy"], System.Globalization.CultureInfo.InvariantCulture) is >= 0 and <= 1);
        Assert.True(File.Exists(Path.Combine(File_("rm"), "tokenizer.json")));
    }

    [Fact]
    public void An_unknown_kind_is_a_configuration_error()
    {
        File.WriteAllLines(File_("p.jsonl"), ["""{"prompt":"p","chosen":"a","rejected":"b"}"""]);
        var e = Assert.Throws<DeepSeekR1.Actors.Configuration.ConfigException>(() =>
            Run("rm", "train", "--kind", "honesty", "--data", File_("p.jsonl"), "--init", BaseModel, "--out", File_("rm")));
        Assert.Contains("--kind: 'honesty'", e.Message);
    }

    [Fact]
    public void The_safety_eval_prints_the_table_with_and_without_risk_control()
    {
        Run("data", "safety-prompts", "--out", File_("e.jsonl"));
        var (exit, output) = Run("safety", "eval", "--checkpoint", BaseModel, "--data", File_("e.jsonl"),
            "--set", "r1.safety-eval.max-new-tokens=4", "--set", "r1.risk-control.refusal=I can't help with that.");
        Assert.Equal(0, exit);
        Assert.Contains("| category | answers | unsafe (risk control off) | refusal (risk control off) | unsafe (risk control on) | refusal (risk control on) |", output);
        Assert.Contains("safety eval, risk control off: 27 prompts, 0 reviewed", output);
        Assert.Contains("safety eval, risk control on: 27 prompts, 21 reviewed", output);
        // The policy reviewer (no safety model configured) gives the tiny model's unclear verdicts, which withdraw:
        // every harmful request is refused with risk control on, and no benign one is touched.
        Assert.Contains("| all harmful | 21 | 0.0% | 0.0% | 0.0% | 100.0% |", output);
        Assert.Contains("| benign | 6 | 0.0% | 0.0% | 0.0% | 0.0% |", output);
    }
}
