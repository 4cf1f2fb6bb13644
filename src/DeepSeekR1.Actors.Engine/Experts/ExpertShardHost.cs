using Akka.Actor;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>Starts a node's expert shard actors (the <c>experts</c> role with <c>r1.experts.location = nodes</c>).</summary>
public static class ExpertShardHost
{
    /// <summary>The dispatcher every shard actor runs on: a thread of its own (hocon/local.conf says why).</summary>
    public const string Dispatcher = "r1-expert-shard-dispatcher";

    /// <summary>The folder of shard <paramref name="shard"/> under <paramref name="root"/> (a run's <c>experts</c> folder).</summary>
    public static string Folder(string root, int shard) => Path.Combine(root, $"shard-{shard}");

    /// <summary>
    /// Starts the actors of <paramref name="shards"/> (each at /user/expert-shard-s) for a policy of shape
    /// <paramref name="config"/>, with the optimizer <paramref name="grpo"/> implies; each recovers its journal and
    /// snapshot (in its folder under <paramref name="root"/>), or waits for the learner's weights. With
    /// <c>r1.experts.data-port</c> set, also starts the node's data plane (<see cref="TensorChannelServer"/>), stopped
    /// with the actor system. Returns the actors by shard.
    /// </summary>
    public static IReadOnlyDictionary<int, IActorRef> Start(ActorSystem system, string runId, IReadOnlyList<int> shards, ModelConfig config,
        ExpertSettings experts, GrpoSettings grpo, string root, Device? device = null)
    {
        var placement = ExpertPlacement.For(config, experts.Validate().Shards);
        if (shards.Where(s => s < 0 || s >= placement.Shards).Select(s => (int?)s).FirstOrDefault() is int bad)
            throw new ArgumentException($"expert shard {bad} does not exist: r1.experts.shards = {placement.Shards} numbers them 0 to {placement.Shards - 1}");
        var adamW = GrpoLearner.AdamWOf(grpo);
        var actors = new System.Collections.Concurrent.ConcurrentDictionary<int, IActorRef>();
        string endpoint = "";
        if (experts.DataPort >= 0)
        {
            var server = new TensorChannelServer(experts.DataPort, s => actors.GetValueOrDefault(s), experts.CallTimeout, system.Log);
            system.RegisterOnTermination(server.Dispose);
            string host = ((ExtendedActorSystem)system).Provider.DefaultAddress.Host ?? "127.0.0.1";
            endpoint = $"{host}:{server.Port}";
        }
        foreach (int s in shards.Distinct())
        {
            var setup = new ExpertShardActor.Setup(runId, s, config, placement, adamW, Folder(root, s), device ?? CPU)
            {
                CrashAtUpdate = experts.CrashAtUpdate,
                CrashOn = experts.CrashOn,
                DataEndpoint = endpoint,
            };
            actors[s] = system.ActorOf(ExpertShardActor.Props(setup, Dispatcher), ExpertShardActor.Name(s));
        }
        return actors.ToDictionary();
    }
}
