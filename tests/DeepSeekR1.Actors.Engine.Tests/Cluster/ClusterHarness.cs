using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Engine.Entities;
using System.Security.Cryptography;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Checkpoints;

namespace DeepSeekR1.Actors.Engine.Tests.Cluster;

/// <summary>
/// A cluster of real <c>r1 node</c> processes on loopback serving one tiny run with a PostgreSQL journal, driven by a
/// real <c>r1 train</c>; every process is killed (if still running) when the harness is disposed.
/// </summary>
internal sealed class ClusterHarness : IDisposable
{
    public const int Prompts = 2;
    public const int GroupSize = 3;

    private readonly List<R1Process> processes = [];

    public ClusterHarness(PostgresServer postgres, string runId, int steps)
    {
        RunId = runId;
        Steps = steps;
        Journal = postgres.CreateDatabase();
        SeedPort = PostgresServer.FreePort();
    }

    public TempDir Dir { get; } = new();
    public string RunId { get; }
    public int Steps { get; }
    public string Journal { get; }
    public int SeedPort { get; }
    public string Seed => $"akka.tcp://r1@127.0.0.1:{SeedPort}";
    public string DataDir => Path.Combine(Dir.Path, "data");

    /// <summary>The settings every process shares: the same run, as the design requires (one cluster, one run).</summary>
    public string[] Common(string? dataDir = null) =>
    [
        "--config", Path.Combine(RepositoryRoot(), "hocon", "cluster.conf"), "--run-id", RunId, "--data-dir", dataDir ?? DataDir,
        "--set", $"akka.cluster.seed-nodes=[\"{Seed}\"]",
        "--set", $"r1.cluster.journal-connection={Journal}",
        "--set", $"r1.grpo.steps={Steps}",
        // The tiny run of the kill -9 test: a cold-started policy whose updates matter.
        "--set", $"r1.train.init={ColdStart.Checkpoint}", "--set", "r1.train.eval-limit=0", "--set", "r1.torch-threads=1",
        "--set", $"r1.grpo.prompts-per-step={Prompts}", "--set", $"r1.grpo.group-size={GroupSize}", "--set", "r1.grpo.learning-rate=0.001",
        "--set", "r1.grpo.format-weight=1.0", "--set", "r1.grpo.beta=0.1", "--set", "r1.grpo.reference-refresh-every=2",
        "--set", "r1.sampling.max-new-tokens=12",
        // Small batches, so that both rollout nodes get work; short waits, so that faults are noticed quickly.
        "--set", "r1.engine.max-batch-samples=3", "--set", "r1.engine.batch-linger=20ms",
        "--set", "r1.engine.group-resend-interval=1s", "--set", "r1.cluster.drive-interval=2s",
        "--set", "akka.cluster.split-brain-resolver.stable-after=3s", "--set", "akka.loglevel=WARNING",
        "--set", "r1.engine.markers=on", "--set", $"r1.pbm.token={PbmToken}",
    ];

    /// <summary>The pbm token every process of the harness uses.</summary>
    public const string PbmToken = "cluster-test-token";

    /// <summary>
    /// Starts a node with <paramref name="roles"/> on <paramref name="port"/> and waits until it is up;
    /// <paramref name="extra"/> are arguments for this node only (a fault probe, say).
    /// </summary>
    public async Task<R1Process> StartNode(string roles, int port, int pbmPort = 0, params string[] extra)
    {
        var node = R1Process.Start(Dir.Path, ["node", .. Common(), "--roles", roles, "--port", port.ToString(), "--set", $"r1.pbm.port={pbmPort}", .. extra]);
        processes.Add(node);
        Assert.True(await node.WaitForLine("r1 node: up at", TimeSpan.FromSeconds(90)), $"node {roles}:{port} did not come up:\n{string.Join('\n', node.Lines)}");
        return node;
    }

    /// <summary>Runs <c>r1 pbm 127.0.0.1:PORT words... --json</c> against a node and returns its exit code and parsed answer.</summary>
    public async Task<(int Exit, System.Text.Json.Nodes.JsonNode? Answer, string Output)> Pbm(int pbmPort, params string[] words)
    {
        var client = R1Process.Start(Dir.Path, ["pbm", $"127.0.0.1:{pbmPort}", .. words, "--json", "--token", PbmToken]);
        processes.Add(client);
        int exit = await client.WaitForExit(TimeSpan.FromSeconds(60));
        string json = string.Join('\n', client.Lines.SkipWhile(l => !l.StartsWith('{')));
        System.Text.Json.Nodes.JsonNode? answer = null;
        try { answer = System.Text.Json.Nodes.JsonNode.Parse(json); }
        catch (System.Text.Json.JsonException) { }
        return (exit, answer, string.Join('\n', client.Lines));
    }

    /// <summary>Runs <c>r1 replay</c> of the run against the cluster's PostgreSQL journal into <paramref name="outDir"/>.</summary>
    public R1Process StartReplay(string outDir)
    {
        var replay = R1Process.Start(Dir.Path, ["replay", "--run", RunId, "--out", outDir,
            "--config", Path.Combine(RepositoryRoot(), "hocon", "cluster.conf"), "--data-dir", DataDir,
            "--set", $"r1.cluster.journal-connection={Journal}"]);
        processes.Add(replay);
        return replay;
    }

    /// <summary>Starts the driver (<c>r1 train</c>) of the run; the harness disposes it.</summary>
    public R1Process StartDriver()
    {
        var driver = R1Process.Start(Dir.Path, ["train", .. Common()]);
        processes.Add(driver);
        return driver;
    }

    /// <summary>
    /// The journal's account of the finished run: every step applied once with a verifiable checkpoint, every group
    /// finished once, every rollout recorded once, the run finished once. Returns the applied steps.
    /// </summary>
    public StepApplied[] AssertJournalComplete()
    {
        var journal = PostgresJournal.Read(Journal);
        var applied = journal.Where(r => r.PersistenceId == $"learner-{RunId}").Select(r => r.Event).OfType<StepApplied>().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), applied.Select(a => a.Step));
        // Checkpoints nothing needs any more are pruned by the learner (CheckpointRetention); the rest are whole.
        var retention = GrpoSettings.Defaults with { Steps = Steps, ReferenceRefreshEvery = 2, CheckpointEvery = 0 };
        foreach (var a in applied.Where(a => !CheckpointRetention.Keeps(a.Step + 1, Steps, retention)))
            Assert.False(Directory.Exists(a.Checkpoint), $"{a.Checkpoint} should have been pruned");
        foreach (var a in applied.Where(a => CheckpointRetention.Keeps(a.Step + 1, Steps, retention)))
        {
            CheckpointManifest.Verify(a.Checkpoint);
            string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(a.Checkpoint, CheckpointManifest.FileName))));
            Assert.Equal(a.ManifestSha256, sha);
        }

        var finished = journal.Select(r => r.Event).OfType<GroupFinished>().Select(f => f.GroupId).ToArray();
        Assert.Equal(Steps * Prompts, finished.Length);
        Assert.Equal(finished.Length, finished.Distinct().Count());
        var recorded = journal.Select(r => r.Event).OfType<RolloutRecorded>().Select(r => (r.GroupId, r.Rollout.Sample)).ToArray();
        Assert.Equal(Steps * Prompts * GroupSize, recorded.Length);
        Assert.Equal(recorded.Length, recorded.Distinct().Count());

        var run = journal.Where(r => r.PersistenceId == $"run-{RunId}").Select(r => r.Event).ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), run.OfType<StepCompleted>().Select(s => s.Step));
        Assert.Single(run.OfType<RunStarted>());
        Assert.Single(run.OfType<RunFinished>());
        return applied;
    }

    public static string Output(params R1Process[] processes) =>
        string.Join("\n\n", processes.Select((p, i) => $"--- process {i}:\n" + string.Join('\n', p.Lines.TakeLast(60))));

    public void Dispose()
    {
        foreach (var p in processes) p.Dispose();
        Dir.Dispose();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "hocon", "cluster.conf"))) return dir.FullName;
        throw new DirectoryNotFoundException($"hocon/cluster.conf not found above {AppContext.BaseDirectory}");
    }
}
