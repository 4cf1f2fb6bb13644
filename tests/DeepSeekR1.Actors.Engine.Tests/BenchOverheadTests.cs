using System.Text.Json;

namespace DeepSeekR1.Actors.Engine.Tests;

public class BenchOverheadTests
{
    [Fact]
    public async Task Bench_overhead_prints_both_engines_step_seconds_and_their_ratio_for_identical_runs()
    {
        using var dir = new TempDir();
        using var r1 = R1Process.Start(dir.Path, "bench", "overhead", "--set", "r1.bench.overhead-steps=2", "--set", "r1.torch-threads=1",
            "--set", "r1.model.hidden-size=32", "--set", "r1.model.intermediate-size=64", "--set", "r1.model.num-layers=2",
            "--set", "r1.model.num-heads=2", "--set", "r1.model.num-kv-heads=1",
            "--set", "r1.grpo.prompts-per-step=2", "--set", "r1.grpo.group-size=3", "--set", "r1.sampling.max-new-tokens=12");
        int exit = await r1.WaitForExit(TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, string.Join('\n', r1.Lines));

        var json = JsonDocument.Parse(r1.Lines.Last(l => l.StartsWith('{'))).RootElement;
        double actor = json.GetProperty("actor_step_seconds").GetDouble();
        double inline = json.GetProperty("inline_step_seconds").GetDouble();
        Assert.True(actor > 0 && inline > 0, json.ToString());
        // The printed seconds are rounded to milliseconds, the ratio is taken before rounding.
        Assert.Equal(actor / inline, json.GetProperty("ratio").GetDouble(), (actor / inline) * 0.05 + 0.002);
        // Charging the actor engine's update at the inline loop's time moves the ratio by exactly their difference.
        double atInline = (actor - json.GetProperty("actor_update_seconds").GetDouble() + json.GetProperty("inline_update_seconds").GetDouble()) / inline;
        Assert.Equal(atInline, json.GetProperty("ratio_at_inline_update").GetDouble(), atInline * 0.05 + 0.002);
        Assert.True(json.GetProperty("max_loss_difference").GetDouble() < 1e-4, json.ToString());

        // The actor phases partition a step (from one step's journaling to the next), so they add up to its seconds.
        double phases = new[] { "sampling", "update", "checkpoint", "between_steps" }
            .Sum(p => json.GetProperty($"actor_{p}_seconds").GetDouble());
        Assert.Equal(actor, phases, actor * 0.1 + 0.05);
        Assert.True(json.GetProperty("actor_update_seconds").GetDouble() > 0 && json.GetProperty("inline_update_seconds").GetDouble() > 0, json.ToString());
    }
}
