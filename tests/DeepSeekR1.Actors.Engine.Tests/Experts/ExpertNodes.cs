using Akka.Actor;
using Akka.Configuration;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests.Experts;

/// <summary>
/// Actor systems on loopback for expert-shard tests: a learner's (remoting only) and an expert node's (remoting, the
/// SQLite journal in its data dir, the shard actors). Both use the shipped configuration (frame size, serializer,
/// the shard dispatcher) under a few test overrides.
/// </summary>
internal static class ExpertNodes
{
    public static Config Remote(int port = 0) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.port = {{port}}
        akka.loglevel = WARNING
        """);

    /// <summary>The learner's side: remoting, nothing persistent.</summary>
    public static ActorSystem Learner(string dataDir) => ActorSystem.Create("r1", EngineConfig.ForDataDirectory(Path.Combine(dataDir, "learner"), Remote()));

    /// <summary>An expert node hosting <paramref name="shards"/> of <paramref name="config"/>'s experts, its journal and snapshots under <paramref name="dataDir"/>.</summary>
    public static ActorSystem Node(string dataDir, string runId, ModelConfig config, ExpertSettings experts, GrpoSettings grpo, IReadOnlyList<int> shards, int port = 0)
    {
        var system = ActorSystem.Create("r1", EngineConfig.ForDataDirectory(dataDir, Remote(port)));
        ExpertShardHost.Start(system, runId, shards, config, experts, grpo, dataDir);
        return system;
    }

    public static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;
}
