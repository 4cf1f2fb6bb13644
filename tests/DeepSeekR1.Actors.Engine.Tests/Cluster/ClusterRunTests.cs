using System.Text.Json;

namespace DeepSeekR1.Actors.Engine.Tests.Cluster;

/// <summary>
/// Real <c>r1 node</c> processes on loopback with a real PostgreSQL journal: a learner node and rollout+reward nodes
/// run a tiny run, whole, with a worker or the learner's node killed (SIGKILL) mid-step, or with every process killed
/// and started again; the journal must account for every step and group exactly once.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterRunTests(PostgresServer postgres)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(240);
    // How long a line another process printed before the driver exited may take to reach us.
    private static readonly TimeSpan LateLine = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Three_nodes_run_a_tiny_run_to_completion_with_each_step_and_group_journaled_once()
    {
        using var cluster = new ClusterHarness(postgres, "three", steps: 3);
        var learner = await cluster.StartNode("learner", cluster.SeedPort);
        var first = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());
        var second = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());

        var driver = cluster.StartDriver();
        int exit = await driver.WaitForExit(RunTimeout);
        Assert.True(exit == 0, ClusterHarness.Output(driver, learner, first, second));
        Assert.Contains(driver.Lines, l => l.Contains($"finished {cluster.Steps} steps"));
        var applied = cluster.AssertJournalComplete();

        // The work spread: both rollout nodes sampled, the learner node (no rollout role) did not.
        Assert.Contains(first.Lines, l => l.StartsWith("r1-engine: sampling", StringComparison.Ordinal));
        Assert.Contains(second.Lines, l => l.StartsWith("r1-engine: sampling", StringComparison.Ordinal));
        Assert.DoesNotContain(learner.Lines, l => l.StartsWith("r1-engine: sampling", StringComparison.Ordinal));
        Assert.Contains(learner.Lines, l => l.StartsWith("r1-engine: applied", StringComparison.Ordinal));

        // Distribution changes nothing: the inline loop computes the same steps in one process.
        await AssertSameAsInline(cluster, applied);

        // r1 replay reads the cluster's PostgreSQL journal as it reads a SQLite file: one metrics row per applied step.
        string outDir = Path.Combine(cluster.Dir.Path, "replay");
        var replay = cluster.StartReplay(outDir);
        Assert.True(await replay.WaitForExit(TimeSpan.FromSeconds(90)) == 0, string.Join('\n', replay.Lines));
        var rows = File.ReadAllLines(Path.Combine(outDir, "metrics.csv"));
        Assert.Equal(cluster.Steps + 1, rows.Length);
        Assert.Equal(Enumerable.Range(1, cluster.Steps).Select(i => i.ToString()), rows.Skip(1).Select(r => r.Split(',')[0]));
    }

    [Fact]
    public async Task A_rollout_and_reward_node_killed_mid_step_loses_no_group_and_counts_none_twice()
    {
        // Here and below: steps enough that the run is still going when the kill lands, a little after its marker.
        using var cluster = new ClusterHarness(postgres, "victim", steps: 8);
        var learner = await cluster.StartNode("learner", cluster.SeedPort);
        var survivor = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());
        var victim = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());

        var driver = cluster.StartDriver();
        // Mid-step: the victim has started generating a batch of step 2; its groups and that batch die with it.
        Assert.True(await victim.WaitForLine("r1-engine: sampling step=2", RunTimeout), ClusterHarness.Output(driver, learner, survivor, victim));
        victim.Kill9();

        int exit = await driver.WaitForExit(RunTimeout);
        Assert.True(exit == 0, ClusterHarness.Output(driver, learner, survivor, victim));
        cluster.AssertJournalComplete();
        // The survivor took over the sampling after the kill. Its output is read asynchronously, so the line may
        // arrive a moment after the driver has exited: wait for it rather than look once.
        Assert.True(await survivor.WaitForLine($"r1-engine: sampling step={cluster.Steps}", LateLine), ClusterHarness.Output(driver, learner, survivor, victim));
    }

    [Fact]
    public async Task The_learner_node_killed_mid_update_hands_the_singleton_over_and_no_step_is_applied_twice()
    {
        using var cluster = new ClusterHarness(postgres, "handover", steps: 8);
        // The oldest learner node hosts the singletons; it dies (a real SIGSEGV in native code) as the update of step
        // 2 begins. A kill from here after its marker would race the run: a tiny step takes 50 ms, and the marker
        // reaches us through a pipe, so the kill landed once after all 8 steps were done (CI, 2026-12-04).
        var doomed = await cluster.StartNode("learner", cluster.SeedPort, 0, "--set", "r1.engine.segfault-at-step=2");
        var standby = await cluster.StartNode("learner", PostgresServer.FreePort());
        var worker = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());

        var driver = cluster.StartDriver();
        Assert.True(await doomed.WaitForExit(RunTimeout) != 0, ClusterHarness.Output(driver, doomed, standby, worker));
        Assert.DoesNotContain(doomed.Lines, l => l.StartsWith("r1-engine: applied step=2", StringComparison.Ordinal));

        int exit = await driver.WaitForExit(RunTimeout);
        Assert.True(exit == 0, ClusterHarness.Output(driver, doomed, standby, worker));
        var applied = cluster.AssertJournalComplete();
        // The standby printed the marker before the run ended, but its output pipe is drained asynchronously.
        Assert.True(await standby.WaitForLine($"r1-engine: applied step={cluster.Steps}", LateLine), ClusterHarness.Output(driver, doomed, standby, worker));
        // The standby resumed from the last applied step's checkpoint, optimizer state and reference.
        await AssertSameAsInline(cluster, applied);
    }

    [Fact]
    public async Task The_whole_cluster_killed_and_started_again_resumes_the_run_from_the_journal()
    {
        using var cluster = new ClusterHarness(postgres, "restart", steps: 8);
        // The learner dies as step 3's update begins (after 2 applied steps; deterministic, unlike a kill from here
        // after a marker, which can land after the whole tiny run), and the others are killed with it.
        var learner = await cluster.StartNode("learner", cluster.SeedPort, 0, "--set", "r1.engine.segfault-at-step=3");
        var worker = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());
        var driver = cluster.StartDriver();
        Assert.True(await learner.WaitForExit(RunTimeout) != 0, ClusterHarness.Output(driver, learner, worker));
        Assert.Contains(learner.Lines, l => l.StartsWith("r1-engine: applied step=2", StringComparison.Ordinal));
        foreach (var process in new[] { driver, worker }) process.Kill9();

        var learnerAgain = await cluster.StartNode("learner", cluster.SeedPort);
        var workerAgain = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());
        var driverAgain = cluster.StartDriver();
        int exit = await driverAgain.WaitForExit(RunTimeout);
        Assert.True(exit == 0, ClusterHarness.Output(driverAgain, learnerAgain, workerAgain));
        Assert.Contains(driverAgain.Lines, l => l.Contains("(resuming)"));
        var applied = cluster.AssertJournalComplete();
        await AssertSameAsInline(cluster, applied);
    }

    // The same run done in one go by the inline loop computes the same steps.
    private static async Task AssertSameAsInline(ClusterHarness cluster, IReadOnlyList<Contracts.StepApplied> applied)
    {
        string inlineData = Path.Combine(cluster.Dir.Path, "inline");
        using (var inline = R1Process.Start(cluster.Dir.Path, ["train", "--engine", "inline", .. InlineArguments(cluster, inlineData)]))
            Assert.True(await inline.WaitForExit(TimeSpan.FromSeconds(120)) == 0, string.Join('\n', inline.Lines));
        var smooth = File.ReadAllLines(Path.Combine(inlineData, "runs", "inline", "metrics.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("metrics")).ToArray();
        Assert.Equal(cluster.Steps, smooth.Length);
        Assert.Contains(applied, a => a.Metrics.GradNorm > 1e-6);   // updates that change the weights
        for (int s = 0; s < cluster.Steps; s++)
        {
            Assert.Equal(smooth[s].GetProperty("RewardMean").GetDouble(), applied[s].Metrics.RewardMean, 1e-4);
            Assert.Equal(smooth[s].GetProperty("Loss").GetDouble(), applied[s].Metrics.Loss, 1e-4);
            Assert.Equal(smooth[s].GetProperty("GradNorm").GetDouble(), applied[s].Metrics.GradNorm, 1e-4);
            Assert.Equal(smooth[s].GetProperty("KlMean").GetDouble(), applied[s].Metrics.KlMean ?? double.NaN, 1e-6);
        }
    }

    // The cluster's run settings without the cluster: the same tiny run for the inline loop.
    private static string[] InlineArguments(ClusterHarness cluster, string dataDir)
    {
        var common = cluster.Common(dataDir);
        var kept = new List<string> { "--run-id", "inline", "--data-dir", dataDir };
        for (int i = 0; i < common.Length - 1; i += 2)
            if (common[i] == "--set" && common[i + 1].StartsWith("r1.", StringComparison.Ordinal) && !common[i + 1].StartsWith("r1.cluster.", StringComparison.Ordinal))
                kept.AddRange(["--set", common[i + 1]]);
        return kept.ToArray();
    }
}
