using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Engine.Tests.Cluster;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests.Experts;

/// <summary>
/// The expert node is a real <c>r1 node --roles experts</c> process that SIGKILLs itself mid-step (the fault probe
/// r1.experts.crash-at-update: after the shard's forward and backward of an update, before its gradients are kept).
/// The learner waits, its replacement restores from the shard's journal and last snapshot, the pass is redone, and the
/// run ends with exactly the weights of an uninterrupted local run: no update lost, none applied twice.
/// </summary>
public class ExpertShardKillTests
{
    private const string RunId = "expert-kill";

    [Theory]
    [InlineData("prepare")]   // mid-pass: the learner redoes the pass on the replacement
    [InlineData("apply")]     // gradients kept, not applied: the replacement applies them from its disk
    public async Task A_shard_node_killed_mid_step_is_replaced_and_the_run_ends_as_if_nothing_happened(string crashOn)
    {
        using var dir = new TempDir();
        var local = RemoteExpertShardTests.Local(dir.Path);

        using var policy = TinyRuns.MoePolicy();
        string init = Path.Combine(dir.Path, "init");
        PolicyCheckpoint.Save(policy, init);
        int port = PostgresServer.FreePort();
        string nodeData = Path.Combine(dir.Path, "node-data");
        string[] Node(long crashAt) =>
        [
            "node", "--roles", "experts", "--run-id", RunId, "--port", port.ToString(), "--data-dir", nodeData,
            "--set", "r1.experts.location=nodes", "--set", "r1.experts.shards=2", "--set", $"r1.train.init={init}",
            "--set", "r1.torch-threads=1", "--set", $"r1.experts.crash-at-update={crashAt}", "--set", $"r1.experts.crash-on={crashOn}",
            "--set", "akka.loglevel=WARNING",
        ];
        // Update 3 is the first mini-batch of step 1 (two mini-batches per step).
        using var first = R1Process.Start(dir.Path, Node(crashAt: 3));
        Assert.True(await first.WaitForLine("r1 node: up at", TimeSpan.FromSeconds(90)), string.Join('\n', first.Lines));

        var experts = ExpertSettings.Defaults with
        {
            Shards = 2, Location = ExpertLocation.Nodes, CallTimeout = TimeSpan.FromSeconds(10), RecoverTimeout = TimeSpan.FromSeconds(120),
        };
        using var learnerSystem = ExpertNodes.Learner(dir.Path);
        var nodeAddress = new Address("akka.tcp", "r1", "127.0.0.1", port);
        var connector = RemoteExpertShards.Connector(learnerSystem, RunId, new FixedExpertDirectory([nodeAddress]), experts);
        using var learner = new GrpoLearner(policy, RemoteExpertShardTests.Settings, 1.0, 12, experts, connector);

        // The replacement: started once the first process is gone, as a supervisor (systemd, Kubernetes) would.
        var replacement = Task.Run(async () =>
        {
            await first.WaitForExit(TimeSpan.FromMinutes(4));
            var second = R1Process.Start(dir.Path, Node(crashAt: 0));
            Assert.True(await second.WaitForLine("r1 node: up at", TimeSpan.FromSeconds(90)), string.Join('\n', second.Lines));
            return second;
        });

        var remote = RemoteExpertShardTests.Train(learner, policy, Path.Combine(dir.Path, "remote-optimizer"));
        using var node = await replacement;
        Assert.Contains(first.Lines, l => l.Contains($"fault probe r1.experts.crash-at-update = 3 at {crashOn}", StringComparison.Ordinal));
        // Killed before its gradients were kept, the pass is redone; after, the update is applied from the shard's disk.
        if (crashOn == "prepare") Assert.True(learner.PassesRedone >= 1, "the learner never redid a pass, so the kill did not land mid-step");
        else Assert.Equal(0, learner.PassesRedone);
        RemoteExpertShardTests.AssertSame(local, remote);

        // Each update is in the shard's journal once: the replacement recovered it, and asking again changes nothing.
        var shard1 = learnerSystem.ActorSelection(new RootActorPath(nodeAddress) / "user" / ExpertShardActor.Name(1));
        var status = Assert.IsType<ExpertShardStatus>(await shard1.Ask<object>(new ExpertShardHello(RunId, 1), TimeSpan.FromSeconds(20)));
        Assert.Equal(3L * RemoteExpertShardTests.Settings.MiniBatches, status.LastUpdate);
        var again = await shard1.Ask<object>(new ApplyExpertUpdate(RunId, 1, 3, 1.0, 1.0), TimeSpan.FromSeconds(20));
        Assert.Equal(new ExpertUpdateDone(RunId, 1, 3, AppliedNow: false), again);
        await learnerSystem.Terminate();
        node.Kill9();
    }
}
