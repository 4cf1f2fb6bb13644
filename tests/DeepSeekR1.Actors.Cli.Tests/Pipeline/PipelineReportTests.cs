using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Cli.Pipeline;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Cli.Tests.Pipeline;

/// <summary>The report is a function of the journaled stages: its columns, rows, counts and stated effects.</summary>
public sealed class PipelineReportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("r1-report-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static PipelineStageCompleted Stage(string stage, double pass, double mixing, params PipelineFigure[] more) =>
        new("p", stage, $"/ck/{stage}", "ab", [.. more, new("pass_at_1", pass), new("cons_at_k", pass), new("response_tokens_mean", 40),
            new("language_mixing", mixing), new("format_rate", 1)], 90);

    private static PipelinePlan Plan => R1Config.Load().Bind<PipelinePlan>("r1.pipeline.plan");

    [Fact]
    public void Stages_csv_has_one_row_per_checkpoint_in_the_paper_s_columns_and_the_report_states_each_effect_with_its_figures()
    {
        PipelineStageCompleted[] stages =
        [
            Stage("base", 0.06, 0), Stage("cold-start", 0.40, 0.3), Stage("reasoning-rl", 0.55, 0.1), Stage("reasoning-rl-no-language", 0.57, 0.3),
            new("p", "rejection-sampling", "/data/kept.jsonl", "cd", [new("judged", 4000), new("kept", 1234), new("incorrect", 2000)], 60),
            Stage("rejection-sft", 0.50, 0.1), Stage("r1-zero", 0.30, 0),
        ];
        PipelineReport.Write(folder, "p", Plan, stages, finished: false);

        var csv = File.ReadAllLines(Path.Combine(folder, "stages.csv"));
        Assert.Equal(string.Join(',', PipelineReport.Columns), csv[0]);
        Assert.Equal(["base", "cold-start", "reasoning-rl", "reasoning-rl-no-language", "rejection-sft", "r1-zero"], csv.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal("reasoning-rl,/ck/reasoning-rl,0.55,0.55,40,0.1,1", csv[3]);

        string md = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("In progress: 7 of", md);
        Assert.Contains("| kept | 1234 |", md);
        Assert.Contains("Reasoning RL raises accuracy over the cold start: pass_at_1 0.55 (reasoning-rl) vs 0.4 (cold-start): **reproduced**", md);
        Assert.Contains("lowers language mixing: language_mixing 0.1 (reasoning-rl) vs 0.3 (reasoning-rl-no-language): **reproduced**", md);
        Assert.Contains("beats stage 2's accuracy: pass_at_1 0.5 (rejection-sft) vs 0.55 (reasoning-rl): **not reproduced**", md);
        // Effects whose stages did not run are left out, not guessed.
        Assert.DoesNotContain("distilled student", md);
        Assert.Contains("rule rewards only", md);
    }

    [Theory]
    [InlineData(new[] { "base", "rejection-sft" }, "'rejection-sft' needs the output of 'rejection-sampling'")]
    [InlineData(new[] { "reasoning-rl", "cold-start" }, "'reasoning-rl' starts from 'cold-start'")]
    [InlineData(new[] { "distill", "alignment-rl" }, "'distill' starts from 'alignment-rl'")]
    public void An_order_the_recipe_cannot_run_is_refused_with_the_stages_named(string[] stages, string message)
    {
        var e = Assert.Throws<ConfigException>(() => PipelineStages.CheckOrder(stages));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("r1.pipeline.plan.stages", e.Message);
    }

    [Fact]
    public void Leaving_a_stage_out_is_allowed_and_every_shipped_stage_is_known()
    {
        PipelineStages.CheckOrder(["base", "reasoning-rl", "r1-zero"]);
        PipelineStages.CheckOrder(PipelineStages.All);
        var settings = PipelineSettings.From(R1Config.Load());
        Assert.Equal(PipelineStages.All, settings.Plan.Stages);
        var unknown = Assert.Throws<ConfigException>(() => PipelineSettings.From(R1Config.Load(overrides: ["r1.pipeline.plan.stages=[base, stage-five]"])));
        Assert.Contains("'stage-five' is not a stage", unknown.Message);
    }
}
