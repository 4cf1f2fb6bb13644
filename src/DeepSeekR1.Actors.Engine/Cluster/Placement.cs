using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;
using Akka.Pattern;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Training;

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

    /// <summary>
    /// Starts this node's share of the engine for <paramref name="run"/> and registers every region and singleton proxy in
    /// the node's <see cref="ActorRegistry"/>. This is the engine's composition root: each actor is given here exactly
    /// what it uses, and its peers are looked up in the registry when sharding creates it (every region and proxy is
    /// registered before the first message reaches any entity, so the lookups cannot miss).
    /// </summary>
    public static void Start(ActorSystem system, EngineRun run, EngineSettings settings, ClusterSettings node, EngineObserver observer)
    {
        var sharding = ClusterSharding.Get(system);
        var sharded = ClusterShardingSettings.Create(system);
        var extractor = new EntityExtractor(settings.ShardCount);
        var registry = ActorRegistry.For(system);
        var pubSub = DistributedPubSub.Get(system).Mediator;
        var markers = new EngineMarkers(settings.Markers, observer.OnMarker);
        // The RL core's pure helpers for this run, built once per node and shared by the entities that use them.
        var prompts = new TrainingPrompts(run.Task, run.Seed, run.Grpo.PromptsPerStep);
        var scorer = new RolloutScorer(run.Tokenizer, RewardSets.For(run.Grpo.RewardWeights, run.Code));
        var sampling = GroupSampler.RolloutOptions(run.Sampling, run.Tokenizer);
        string runId = run.RunId;

        IActorRef Region(string kind, string role, Func<string, Props> props) => node.Has(role)
            ? sharding.Start(kind, props, sharded.WithRole(role), extractor)
            : sharding.StartProxy(kind, role, extractor);

        registry.Register<RunRegion>(Region(EntityIds.RunKind, NodeRoles.Learner, _ => Props.Create(() =>
            new RunEntity(run, prompts, settings.SnapshotEvery, new RunEntity.Peers(registry.Get<LearnerSingleton>(), registry.Get<GroupRegion>(), pubSub)))));
        registry.Register<GroupRegion>(Region(EntityIds.GroupKind, NodeRoles.Reward, id => Props.Create(() =>
            new PromptGroupEntity(id, run, settings.GroupResendInterval,
                new PromptGroupEntity.Peers(registry.Get<WorkQueueSingleton>(), registry.Get<VerifierRegion>(), registry.Get<LearnerSingleton>())))));
        // The reward models, when the run's rewards use them (r1.rewards.models): one copy per entity on the reward
        // nodes' tensor thread; the verifiers of model-scored prompts ask them.
        var models = run.ModelRewards;
        if (models is not null)
            registry.Register<RewardModelRegion>(Region(EntityIds.RewardModelKind, NodeRoles.Reward, id =>
            {
                var kind = EntityIds.RewardModelOf(id);
                var options = new RewardModelEntity.Options(kind, models.Checkpoint(kind), models.BatchSize, models.BatchWindow, models.MaxSeqLen) { Dtype = run.Dtype };
                return Props.Create(() => new RewardModelEntity(options, run.Tokenizer, run.Device)).WithDispatcher(EngineHost.ModelDispatcher);
            }));
        registry.Register<VerifierRegion>(Region(EntityIds.VerifierKind, NodeRoles.Reward, _ =>
        {
            var modelScoring = models is null ? null : new RewardVerifierEntity.ModelScoring(registry.Get<RewardModelRegion>(), models, run.Tokenizer);
            return Props.Create(() => new RewardVerifierEntity(scorer, modelScoring));
        }));
        registry.Register<SamplerRegion>(node.Has(NodeRoles.Rollout)
            // A sampler waits idle while the learner updates, which can outlast any idle timeout: it must never
            // passivate, or nobody would pull the next step's work.
            ? sharding.Start(EntityIds.SamplerKind,
                id => Props.Create(() => new RolloutSamplerEntity(id, run, sampling, settings.MaxBatchSamples, node.DriveInterval, markers,
                    new RolloutSamplerEntity.Peers(pubSub, registry.Get<WorkQueueSingleton>(), registry.Get<GroupRegion>())))
                    .WithDispatcher(settings.TensorThreads == 2 ? EngineHost.SamplerDispatcher : EngineHost.ModelDispatcher),
                sharded.WithRole(NodeRoles.Rollout).WithPassivateIdleAfter(TimeSpan.Zero), new SlotExtractor(), new SlotAllocation(), PoisonPill.Instance)
            : sharding.StartProxy(EntityIds.SamplerKind, NodeRoles.Rollout, new SlotExtractor()));

        // Expert shards live on the nodes with the experts role when the run puts them there; they start before the
        // learner, which finds them by asking (a shard that is not up yet is waited for, r1.experts.recover-timeout).
        if (node.Has(NodeRoles.Experts) && run.Experts.Location == ExpertLocation.Nodes && run.Experts.Shards > 0)
        {
            ModelConfig shape;
            using (var initial = run.InitialPolicy()) shape = initial.Config;
            if (run.Experts.ShardsExpertsOf(shape))
                ExpertShardHost.Start(system, runId, run.Experts.HostedShards, shape, run.Experts, run.Grpo, Path.Combine(run.RunDirectory, "experts"), run.Device);
        }

        // A persistent learner stops when the journal fails (a database outage); the back-off supervisor starts it
        // again, later each time, and it recovers from the journal once the database is back.
        var learner = Props.Create(() => new LearnerActor(run, new LearnerActor.Options(settings.SnapshotEvery, settings.SegfaultAtStep, settings.UpdateDelay), markers,
            new LearnerActor.Peers(pubSub, registry.Get<RunRegion>()))).WithDispatcher(EngineHost.ModelDispatcher);
        registry.Register<LearnerSingleton>(Singleton(system, node, LearnerName(runId), BackoffSupervisor.Props(
            Backoff.OnStop(learner, "learner", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1))));
        registry.Register<WorkQueueSingleton>(Singleton(system, node, WorkQueueName(runId), Props.Create(() => new WorkQueue(settings, runId, pubSub,
            run.Async.MaxStaleness == 0 && settings.StepGatherTimeout > TimeSpan.Zero ? run.Grpo.PromptsPerStep * run.Grpo.GroupSize : null))));

        if (!node.Has(NodeRoles.Rollout)) return;
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        var samplers = registry.Get<SamplerRegion>();
        for (int slot = 0; slot < settings.SamplerSlots; slot++)
        {
            // Unique across nodes, so that every rollout node's slots are distinct entities (and shards).
            string id = $"{EntityIds.SamplerSlot(slot)}-{self.Host}-{self.Port}";
            samplers.Tell(EntityIds.To(id, new StartSampler(id)));
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
