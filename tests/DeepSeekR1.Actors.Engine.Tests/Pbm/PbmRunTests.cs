using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Tests.Pbm;

/// <summary>The run palette through the real client against real tiny runs: pause, restart, resume, stop, metrics.</summary>
public sealed class PbmRunTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_run_paused_mid_run_stays_paused_across_a_restart_and_resumes_with_no_step_lost_or_repeated()
    {
        const int steps = 4;
        using var dir = new TempDir();
        var run = PbmNode.Run(dir.Path, steps);

        // First life: pause once the first step is reported.
        var firstStep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long pausedAt;
        await using (var node = await PbmNode.StartAsync(dir.Path, run, new EngineObserver { OnStep = (_, _) => firstStep.TrySetResult() }))
        {
            using var cancelRun = new CancellationTokenSource();
            var running = node.Host.RunAsync(cancelRun.Token);
            await firstStep.Task.WaitAsync(Patience);

            var paused = await node.Row("run", "pause", "--id", "pbm");
            Assert.Equal(("paused", "running"), ((string?)paused["state"], (string?)paused["was"]));

            // The step in flight (if any) finishes and is journaled; then nothing moves.
            Assert.True(await PbmNode.Eventually(async () => (await node.Row("run", "status"))["step_in_flight"] is null, Patience));
            pausedAt = (long)(await node.Row("run", "status"))["steps_done"]!;
            Assert.InRange(pausedAt, 1, steps - 1);
            await Task.Delay(1500);
            var still = await node.Row("run", "status");
            Assert.Equal(("paused", pausedAt), ((string?)still["state"], (long)still["steps_done"]!));
            Assert.Equal(pausedAt, (long)still["policy_version"]!);
            Assert.False(running.IsCompleted);
            cancelRun.Cancel();
        }

        // Second life: the pause is in the journal, so the restarted node waits instead of training.
        await using (var node = await PbmNode.StartAsync(dir.Path, run))
        {
            var running = node.Host.RunAsync();
            await Task.Delay(1500);
            var status = await node.Row("run", "status");
            Assert.Equal(("paused", pausedAt), ((string?)status["state"], (long)status["steps_done"]!));
            Assert.False(running.IsCompleted);

            var resumed = await node.Row("run", "resume");
            Assert.Equal(("running", "paused"), ((string?)resumed["state"], (string?)resumed["was"]));
            var outcome = await running.WaitAsync(Patience);
            Assert.Equal((RunStates.Finished, steps), (outcome.State, outcome.Steps));

            // Metrics and checkpoints through pbm are the learner's own.
            var metrics = (await node.Json("run", "metrics", "--last", "2"))["rows"]!.AsArray();
            Assert.Equal([3L, 4L], metrics.Select(m => (long)m!["step"]!));
            for (int i = 0; i < 2; i++)
                Assert.Equal(outcome.Metrics[steps - 2 + i].RewardMean, (double)metrics[i]!["reward"]!, 12);
            var checkpoints = (await node.Json("run", "checkpoints"))["rows"]!.AsArray();
            Assert.Equal(Enumerable.Range(0, steps + 1).Select(v => (long)v), checkpoints.Select(c => (long)c!["policy_version"]!));
            // Older checkpoints nothing needs are pruned by the learner; the listing says which are still there.
            Assert.All(checkpoints, c => Assert.Equal(CheckpointRetention.Keeps((long)c!["policy_version"]!, steps, run.Grpo), (bool)c!["on_disk"]!));
            Assert.Equal(outcome.Checkpoint, (string?)checkpoints[^1]!["checkpoint"]);
            var finished = await node.Row("run", "status");
            Assert.Equal(("finished", (long)steps), ((string?)finished["state"], (long)finished["policy_version"]!));

            // The journal: each step started, sampled, applied and recorded once, with the pause and resume between.
            var events = await JournalProbe.EventsByTag(node.Host.System, "pbm");
            var all = Enumerable.Range(0, steps).Select(s => (long)s).ToArray();
            Assert.Equal(all, events.OfType<StepStarted>().Select(s => s.Step));
            Assert.Equal(all, events.OfType<StepCompleted>().Select(s => s.Step));
            Assert.Equal(all, events.OfType<StepApplied>().Select(s => s.Step));
            var recorded = events.OfType<RolloutRecorded>().Select(r => (r.GroupId, r.Rollout.Sample)).ToArray();
            Assert.Equal(steps * TinyRuns.Grpo.PromptsPerStep * TinyRuns.Grpo.GroupSize, recorded.Length);
            Assert.Equal(recorded.Length, recorded.Distinct().Count());
            var lifecycle = events.Where(e => e is RunPaused or RunResumed or StepStarted).ToArray();
            int pause = Array.FindIndex(lifecycle, e => e is RunPaused);
            Assert.InRange(((RunPaused)lifecycle[pause]).StepsCompleted, 1, pausedAt);
            Assert.IsType<RunResumed>(lifecycle[pause + 1]);   // no step started between the pause and the resume
            Assert.Equal(pausedAt, ((StepStarted)lifecycle[pause + 2]).Step);
        }
    }

    [Fact]
    public async Task Stop_ends_the_run_for_good_and_a_resume_of_a_stopped_run_says_there_is_nothing_to_do()
    {
        using var dir = new TempDir();
        var firstStep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var node = await PbmNode.StartAsync(dir.Path, PbmNode.Run(dir.Path, steps: 20, runId: "stoppy"),
            new EngineObserver { OnStep = (_, _) => firstStep.TrySetResult() });
        var running = node.Host.RunAsync();
        await firstStep.Task.WaitAsync(Patience);

        var stopped = await node.Row("run", "stop");
        Assert.Equal(("stopped", "running"), ((string?)stopped["state"], (string?)stopped["was"]));
        var outcome = await running.WaitAsync(Patience);
        Assert.Equal(RunStates.Stopped, outcome.State);
        Assert.InRange(outcome.Steps, 1, 19);

        var resume = await node.Pbm("run", "resume");
        Assert.Equal(0, resume.Exit);
        Assert.Contains("nothing to do: the run is stopped", resume.Out);

        var listed = Assert.Single((await node.Json("run", "list"))["rows"]!.AsArray())!;
        Assert.Equal(("stoppy", "stopped", true), ((string?)listed["run"], (string?)listed["state"], (bool)listed["hosted_here"]!));
        Assert.Equal(20, (int)listed["steps"]!);
    }

    [Fact]
    public async Task Cluster_leave_of_the_node_ends_its_run_with_an_explanation_instead_of_a_hang()
    {
        using var dir = new TempDir();
        await using var node = await PbmNode.StartAsync(dir.Path, PbmNode.Run(dir.Path, steps: 50, runId: "leaver"));
        var running = node.Host.RunAsync();

        var leaving = await node.Row("cluster", "leave");
        Assert.Equal((node.Address, "leaving"), ((string?)leaving["address"], (string?)leaving["status"]));
        var error = await Assert.ThrowsAsync<RunInterruptedException>(() => running.WaitAsync(Patience));
        Assert.Contains("this node left the cluster before run 'leaver' completed", error.Message);
    }

    [Theory]
    [InlineData(Model.Policy.Moe.ExpertLocation.InProcess)]
    [InlineData(Model.Policy.Moe.ExpertLocation.Nodes)]   // shard actors on this node (it has every role), asked live
    public async Task The_experts_palette_shows_a_moe_runs_shards_and_the_journaled_load_of_its_last_steps(Model.Policy.Moe.ExpertLocation location)
    {
        using var dir = new TempDir();
        var run = PbmNode.Run(dir.Path, 2, "moe") with
        {
            InitialPolicy = TinyRuns.MoePolicy,
            Experts = Model.Policy.Moe.ExpertSettings.Defaults with { Shards = 2, Location = location },
        };
        await using var node = await PbmNode.StartAsync(dir.Path, run);
        var outcome = await node.Host.RunAsync().WaitAsync(Patience);
        Assert.Equal((RunStates.Finished, 2), (outcome.State, outcome.Steps));

        var shards = (await node.Json("experts", "shards"))["rows"]!.AsArray();
        Assert.Equal(["0,2", "1,3"], shards.Select(r => (string)r!["experts"]!));
        Assert.All(shards, r => Assert.Equal("0,1", (string?)r!["layers"]));
        Assert.All(shards, r => Assert.Equal(2L, (long)r!["last_step_applied"]!));
        if (location == Model.Policy.Moe.ExpertLocation.Nodes)
            Assert.All(shards, r => Assert.StartsWith("akka.tcp://", (string?)r!["node"]));
        else
            Assert.All(shards, r => Assert.Equal("in-process with the learner", (string?)r!["node"]));
        // Two experts x two layers x three 32 x 16 matrices of fp32.
        Assert.All(shards, r => Assert.Equal(2L * 2 * 3 * 32 * 16 * 4, (long)r!["parameter_bytes"]!));

        var load = (await node.Json("experts", "load", "--last", "1"))["rows"]!.AsArray();
        Assert.Equal([2L, 2L], load.Select(r => (long)r!["step"]!));            // the last step, both MoE layers
        Assert.Equal([0L, 1L], load.Select(r => (long)r!["layer"]!));
        Assert.All(load, r => Assert.Equal(4, ((string)r!["tokens_per_expert"]!).Split(',').Length));
        Assert.All(load, r => Assert.True((double)r!["max_over_mean"]! >= 1.0));
    }
}
