using System.Text.Json;
using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Engine.Tests.Pbm;

namespace DeepSeekR1.Actors.Engine.Tests.Pipeline;

/// <summary>
/// <c>r1 pipeline</c> as a real process on a tiny configuration (every stage in seconds): killed mid-run with SIGKILL
/// and run again by the bare command, it resumes the newest unfinished pipeline, never redoes a finished stage, and
/// writes the report; bad input fails before any stage runs, naming the stage, the key and the path.
/// </summary>
public class PipelineRunTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    // Every stage shrunk to a few steps and questions; evaluations on 8 questions x 2 samples.
    private const string Tiny = """
        r1.pipeline {
          plan { eval-limit = 8, eval-samples = 2 }
          cold-start { count = 64, set = ["r1.sft.steps=4"] }
          reasoning-rl { set = ["r1.grpo.steps=3", "r1.grpo.prompts-per-step=2", "r1.grpo.group-size=2"] }
          reasoning-rl-no-language { set = ["r1.grpo.steps=2", "r1.grpo.prompts-per-step=2", "r1.grpo.group-size=2", "r1.grpo.language-weight=0"] }
          rejection-sampling { samples = 2, limit = 12 }
          rejection-sft { set = ["r1.sft.steps=2"] }
          alignment-rl { set = ["r1.grpo.steps=2", "r1.grpo.prompts-per-step=2", "r1.grpo.group-size=2"] }
          distill { samples = 2, limit = 12, set = ["r1.sft.steps=2"] }
          r1-zero { set = ["r1.grpo.steps=2", "r1.grpo.prompts-per-step=2", "r1.grpo.group-size=2"] }
        }
        r1.eval.max-new-tokens = 48
        r1.torch-threads = 1
        """;

    private static string[] Command(string dir, string data, params string[] extra) =>
        ["pipeline", "--config", Path.Combine(dir, "tiny.conf"), "--data-dir", data, .. extra];

    [Fact]
    public async Task A_pipeline_killed_mid_stage_resumes_on_a_bare_rerun_without_redoing_a_finished_stage_and_reports_every_stage()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "tiny.conf"), Tiny);
        string data = Path.Combine(dir.Path, "data");
        using (var first = R1Process.Start(dir.Path, Command(dir.Path, data, "--run-id", "tiny")))
        {
            // Killed once reasoning RL (stage 3) has begun: base and cold start are done and journaled.
            Assert.True(await first.WaitForLine("r1 pipeline: reasoning-rl: r1 train", Bound), string.Join('\n', first.Lines));
            first.Kill9();
        }
        string folder = Path.Combine(data, "pipelines", "tiny");
        Assert.True(File.Exists(Path.Combine(folder, "stages.csv")));

        using (var again = R1Process.Start(dir.Path, Command(dir.Path, data)))
        {
            int exit = await again.WaitForExit(Bound);
            Assert.True(exit == 0, string.Join('\n', again.Lines));
            Assert.Contains(again.Lines, l => l.Contains("resuming tiny, the newest unfinished pipeline"));
            Assert.DoesNotContain(again.Lines, l => l.StartsWith("r1 pipeline: stage 1/9", StringComparison.Ordinal) || l.StartsWith("r1 pipeline: stage 2/9", StringComparison.Ordinal));
            Assert.Contains(again.Lines, l => l.StartsWith("r1 pipeline: stage 3/9 reasoning-rl (attempt 2)", StringComparison.Ordinal));
            Assert.Contains(again.Lines, l => l.StartsWith("r1 pipeline: finished 9 stages", StringComparison.Ordinal));
        }

        // Each finished stage's commands ran once (their logs say every command they ran).
        static int Runs(string log, string command) => File.ReadLines(log).Count(l => l.StartsWith($"$ r1 {command} ", StringComparison.Ordinal));
        Assert.Equal(1, Runs(Path.Combine(folder, "logs", "base.log"), "eval"));
        Assert.Equal(1, Runs(Path.Combine(folder, "logs", "cold-start.log"), "sft"));
        Assert.Equal(2, Runs(Path.Combine(folder, "logs", "reasoning-rl.log"), "train"));

        var csv = File.ReadAllLines(Path.Combine(folder, "stages.csv"));
        Assert.Equal("stage,checkpoint,pass_at_1,cons_at_k,response_tokens_mean,language_mixing,format_rate", csv[0]);
        Assert.Equal(["base", "cold-start", "reasoning-rl", "reasoning-rl-no-language", "rejection-sft", "alignment-rl", "distill", "r1-zero"], csv.Skip(1).Select(r => r.Split(',')[0]));
        // Fractions 0-1 except response_tokens_mean (column 4), a count of tokens.
        foreach (var row in csv.Skip(1).Select(r => r.Split(',')))
            for (int c = 2; c < row.Length; c++)
                Assert.InRange(double.Parse(row[c], System.Globalization.CultureInfo.InvariantCulture), 0, c == 4 ? 1e4 : 1);
        string report = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("All stages finished.", report);
        Assert.Contains("r1-zero (RL from base, for comparison)", report);
        Assert.Contains("rule rewards only", report);
        Assert.Contains("The language-consistency reward lowers language mixing: language_mixing", report);

        // The bilingual task: the cold-start data asks half its questions in Chinese, and mixes English into some of their reasoning.
        var cold = File.ReadLines(Path.Combine(folder, "data", "cold-start.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("completion").GetString()!).ToArray();
        Assert.Contains(cold, c => c.Contains("所以") && !c.Contains("So "));
        Assert.Contains(cold, c => c.Contains("所以") && c.Contains("So "));
        Assert.Contains(cold, c => !c.Contains("所以"));

        // Distillation and rejection-sampling SFT learn only from verified outputs: every kept line's answer is its gold answer.
        foreach (var file in new[] { "distill-traces.jsonl", "rejection-sampling.jsonl" })
            foreach (var line in File.ReadLines(Path.Combine(folder, "data", file)))
            {
                var row = JsonDocument.Parse(line).RootElement;
                Assert.Equal(double.Parse(row.GetProperty("gold").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                    double.Parse(row.GetProperty("answer").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Contains("</think>", row.GetProperty("completion").GetString());
            }

        // Run again when finished: nothing runs, the report is rewritten from the journal.
        using var done = R1Process.Start(dir.Path, Command(dir.Path, data, "--run-id", "tiny"));
        Assert.Equal(0, await done.WaitForExit(Bound));
        Assert.Contains(done.Lines, l => l.Contains("pipeline tiny is finished"));
    }

    [Fact]
    public async Task Pbm_lists_a_pipeline_shows_its_stages_and_a_pause_holds_the_next_stage_until_resume()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "tiny.conf"), Tiny);
        string data = Path.Combine(dir.Path, "data");
        using var r1 = R1Process.Start(dir.Path, Command(dir.Path, data, "--run-id", "held", "--set", "r1.pbm.port=0",
            "--set", "r1.pipeline.plan.stages=[base, cold-start]"));
        Assert.True(await r1.WaitForLine("pbm command host on", Bound), string.Join('\n', r1.Lines));
        string endpoint = Regex.Match(r1.Lines.First(l => l.Contains("pbm command host on")), @"pbm command host on (\S+),").Groups[1].Value;

        var paused = await PbmCli.Row(data, endpoint, "pipeline", "pause");
        Assert.Equal("paused", (string?)paused["state"]);
        // The stage in progress (if the pause came after it began) finishes; the next one waits.
        Assert.True(await r1.WaitForLine("r1 pipeline: pipeline held is paused after", Bound), string.Join('\n', r1.Lines));
        int doneWhenPaused = (int)(await PbmCli.Row(data, endpoint, "pipeline", "list"))["stages_done"]!;
        await Task.Delay(1500);
        var listed = await PbmCli.Row(data, endpoint, "pipeline", "list");
        Assert.Equal(("held", "paused", doneWhenPaused, 2), ((string?)listed["pipeline"], (string?)listed["state"], (int)listed["stages_done"]!, (int)listed["stages"]!));
        var (exit, status, error) = await PbmCli.Run(data, [endpoint, "pipeline", "status", "--json"]);
        Assert.True(exit == 0, error);
        var rows = System.Text.Json.Nodes.JsonNode.Parse(status)!["rows"]!.AsArray();
        Assert.Equal(["base", "cold-start"], rows.Select(r => (string?)r!["stage"]));
        Assert.Equal("waiting", (string?)rows[1]!["state"]);

        Assert.Equal("running", (string?)(await PbmCli.Row(data, endpoint, "pipeline", "resume"))["state"]);
        Assert.Equal(0, await r1.WaitForExit(Bound));
        Assert.Contains(r1.Lines, l => l.StartsWith("r1 pipeline: finished 2 stages", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("r1.pipeline.plan.base=/nowhere/base", "r1.pipeline.plan.base", "/nowhere/base")]
    [InlineData("r1.pipeline.cold-start.data=/nowhere/cold.jsonl", "r1.pipeline.cold-start.data (stage cold-start)", "/nowhere/cold.jsonl")]
    [InlineData("r1.pipeline.distill.student-init=/nowhere/student", "r1.pipeline.distill.student-init", "/nowhere/student")]
    [InlineData("r1.pipeline.reasoning-rl.set=[\"r1.grpo.nope=1\"]", "r1.pipeline.reasoning-rl.set (stage reasoning-rl)", "r1.grpo.nope")]
    [InlineData("r1.pipeline.plan.stages=[base, rejection-sft]", "'rejection-sft' needs the output of 'rejection-sampling'", "")]
    [InlineData("r1.pipeline.plan.stages=[base, reasoning-rl, cold-start]", "'reasoning-rl' starts from 'cold-start'", "")]
    public async Task Bad_input_fails_before_any_stage_runs_naming_the_stage_the_key_and_the_path(string set, string key, string path)
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "tiny.conf"), Tiny);
        string data = Path.Combine(dir.Path, "data");
        using var r1 = R1Process.Start(dir.Path, Command(dir.Path, data, "--set", set));
        int exit = await r1.WaitForExit(Bound);
        string all = string.Join('\n', r1.Lines);
        Assert.True(exit == 2, all);
        Assert.Contains(key, all);
        Assert.Contains(path, all);
        Assert.DoesNotContain(r1.Lines, l => l.StartsWith("r1 pipeline: stage", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(data, "pipelines")), "nothing is journaled for a pipeline that cannot start");
    }
}
