using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy.Moe;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests.Experts;

/// <summary>
/// The actor engine with <c>r1.experts.location = nodes</c> on a single node (which has every role, experts too): the
/// node starts the shard actors, the learner finds them through the cluster, trains through them, and writes the
/// same checkpoints as with the shards in its own process.
/// </summary>
[Collection(TorchThreadCounts.Name)]
public class ExpertNodesEngineTests
{
    private static async Task<(EngineOutcome Outcome, IReadOnlyList<object> Journal)> Run(string dir, ExpertLocation location)
    {
        var run = TinyRuns.Run(dir, "moe") with
        {
            // Cold-started, so that rollouts earn different rewards and the updates (and their comparison) matter.
            InitialPolicy = ColdStart.MoePolicy,
            Experts = ExpertSettings.Defaults with { Shards = 2, Location = location, CallTimeout = TimeSpan.FromSeconds(30) },
        };
        // Each step's samples in one generation batch, in both runs: the work queue otherwise hands out what has been
        // offered after a 20 ms linger, so a busy machine can split a step into two batches in one run and not the
        // other, and a batch's shape changes the last bits of the sampled log-probs the two updates start from.
        var oneBatchPerStep = Akka.Configuration.ConfigurationFactory.ParseString($"""
            r1.engine.max-batch-samples = {TinyRuns.Grpo.PromptsPerStep * TinyRuns.Grpo.GroupSize}
            r1.engine.batch-linger = 2s
            """).WithFallback(TinyRuns.Overrides);
        var host = await EngineHost.StartAsync(run, dir, oneBatchPerStep, new EngineObserver());
        try
        {
            var outcome = await host.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
            var shardEvents = new List<object>();
            for (int s = 0; s < 2; s++) shardEvents.AddRange(await JournalProbe.Events(host.System, ExpertShardActor.PersistenceIdOf("moe", s)));
            return (outcome, shardEvents);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Shards_hosted_as_actors_train_and_checkpoint_exactly_as_shards_in_the_learner()
    {
        using var inProcessDir = new TempDir();
        using var nodesDir = new TempDir();
        var (inProcess, noEvents) = await Run(inProcessDir.Path, ExpertLocation.InProcess);
        var (nodes, shardEvents) = await Run(nodesDir.Path, ExpertLocation.Nodes);

        Assert.Empty(noEvents);
        // Each shard journaled the learner's initial weights (a load) and then every update it applied.
        var saved = shardEvents.OfType<ExpertShardSaved>().ToArray();
        Assert.Contains(saved, e => e.Loaded);
        Assert.Equal(2, saved.Where(e => !e.Loaded).Select(e => e.Shard).Distinct().Count());
        Assert.True(Directory.Exists(Path.Combine(nodesDir.Path, "runs", "moe", "experts", "shard-0")));

        Assert.Equal(inProcess.Steps, nodes.Steps);
        Assert.Contains(inProcess.Metrics, m => m.GradNorm > 1e-6);   // updates that change the weights, or the comparison proves little
        for (int s = 0; s < inProcess.Metrics.Count; s++)
        {
            Assert.Equal(inProcess.Metrics[s].Loss, nodes.Metrics[s].Loss, 1e-5);
            Assert.Equal(inProcess.Metrics[s].GradNorm, nodes.Metrics[s].GradNorm, 1e-5);
        }
        using var a = Checkpoint.Load(inProcess.Checkpoint, verify: true);
        using var b = Checkpoint.Load(nodes.Checkpoint, verify: true);
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        Assert.Contains(a.Tensors.Keys, ExpertShardSet.IsRoutedExpert);
        foreach (var (name, t) in a.Tensors)
        {
            float difference = (t - b.Tensors[name]).abs().max().item<float>();
            Assert.True(difference <= 1e-6, $"{name} differs by {difference:G3}");
        }
        foreach (int s in new[] { 0, 1 })
            Assert.True(File.Exists(Path.Combine(nodes.Checkpoint, $"optimizer.expert-shard-{s}.bin")));
    }
}
