using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Pattern;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Cluster;

/// <summary>
/// Starts a node's share of the engine by its roles (<see cref="NodeRoles"/>): each entity kind as a full region on
/// nodes with the kind's role and as a proxy elsewhere, the singletons' managers on learner nodes and their proxies on
/// every node, and the node's own sampler slots on rollout nodes. A single node has every role, so it hosts it all.
/// </summary>
internal static class Placement
{
    /// <summary>The actor name of the learner singleton of <paramref name="runId"/>.</summary>
    public static string LearnerName(string runId) => $"learner-{runId}";

    /// <summary>The actor name of the work-queue singleton of <paramref name="runId"/>.</summary>
    public static string WorkQueueName(string runId) => $"work-queue-{runId}";

    public static void Start(ActorSystem system, EngineContext context)
    {
        var node = context.Cluster;
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system);
        var extractor = new EntityExtractor(context.Settings.ShardCount);
        context.PubSub = DistributedPubSub.Get(system).Mediator;

        IActorRef Region(string kind, string role, Func<string, Props> props) => node.Has(role)
            ? sharding.Start(kind, props, settings.WithRole(role), extractor)
            : sharding.StartProxy(kind, role, extractor);

        context.Runs = Region(EntityIds.RunKind, NodeRoles.Learner, _ => Props.Create(() => new RunEntity(context)));
        context.Groups = Region(EntityIds.GroupKind, NodeRoles.Reward, id => Props.Create(() => new PromptGroupEntity(context, id)));
        context.Verifiers = Region(EntityIds.VerifierKind, NodeRoles.Reward, _ => Props.Create(() => new RewardVerifierEntity(context)));
        context.Samplers = node.Has(NodeRoles.Rollout)
            // A sampler waits idle while the learner updates, which can outlast any idle timeout: it must never
            // passivate, or nobody would pull the next step's work.
            ? sharding.Start(EntityIds.SamplerKind,
                id => Props.Create(() => new RolloutSamplerEntity(context, id)).WithDispatcher(EngineHost.ModelDispatcher),
                settings.WithRole(NodeRoles.Rollout).WithPassivateIdleAfter(TimeSpan.Zero), new SlotExtractor(), new SlotAllocation(), PoisonPill.Instance)
            : sharding.StartProxy(EntityIds.SamplerKind, NodeRoles.Rollout, new SlotExtractor());

        string runId = context.Run.RunId;
        // A persistent learner stops when the journal fails (a database outage); the back-off supervisor starts it
        // again, later each time, and it recovers from the journal once the database is back.
        var learner = Props.Create(() => new LearnerActor(context)).WithDispatcher(EngineHost.ModelDispatcher);
        context.Learner = Singleton(system, node, LearnerName(runId), BackoffSupervisor.Props(
            Backoff.OnStop(learner, "learner", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1)));
        context.WorkQueue = Singleton(system, node, WorkQueueName(runId), Props.Create(() => new WorkQueue(context.Settings, runId, context.PubSub)));

        if (!node.Has(NodeRoles.Rollout)) return;
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        for (int slot = 0; slot < context.Settings.SamplerSlots; slot++)
        {
            // Unique across nodes, so that every rollout node's slots are distinct entities (and shards).
            string id = $"{EntityIds.SamplerSlot(slot)}-{self.Host}-{self.Port}";
            context.Samplers.Tell(EngineContext.To(id, new StartSampler(id)));
        }
    }

    private static IActorRef Singleton(ActorSystem system, ClusterSettings node, string name, Props props)
    {
        if (node.Has(NodeRoles.Learner))
            system.ActorOf(ClusterSingletonManager.Props(props, PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithRole(NodeRoles.Learner)), name);
        return system.ActorOf(ClusterSingletonProxy.Props($"/user/{name}",
            ClusterSingletonProxySettings.Create(system).WithRole(NodeRoles.Learner)), $"{name}-proxy");
    }
}
