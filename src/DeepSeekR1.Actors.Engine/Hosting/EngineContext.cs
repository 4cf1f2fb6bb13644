using Akka.Actor;
using Akka.Cluster.Sharding;
using DeepSeekR1.Actors.Engine.Cluster;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// What every entity of one run on this node shares: the run's inputs, the RL core's pure helpers built from them,
/// and the refs of the regions and singletons (filled in once they are started).
/// </summary>
internal sealed class EngineContext(EngineRun run, EngineSettings settings)
{
    public EngineRun Run { get; } = run;
    public EngineSettings Settings { get; } = settings;
    /// <summary>This node's roles and seeds; a single node with every role unless the host says otherwise.</summary>
    public ClusterSettings Cluster { get; init; } = ClusterSettings.SingleNode;
    public TrainingPrompts Prompts { get; } = new(run.Task, run.Seed, run.Grpo.PromptsPerStep);
    public GroupSampler Sampler { get; } = new(run.Tokenizer, InlineGrpoTrainer.Rewards(run.Grpo), run.Sampling, run.Seed, run.Grpo.GroupSize, run.Grpo.AdvantageScaling);

    public IActorRef Runs { get; set; } = ActorRefs.Nobody;
    public IActorRef Groups { get; set; } = ActorRefs.Nobody;
    public IActorRef Samplers { get; set; } = ActorRefs.Nobody;
    public IActorRef Verifiers { get; set; } = ActorRefs.Nobody;
    public IActorRef Learner { get; set; } = ActorRefs.Nobody;
    public IActorRef WorkQueue { get; set; } = ActorRefs.Nobody;
    public IActorRef PubSub { get; set; } = ActorRefs.Nobody;

    public EngineObserver Observer { get; set; } = new();

    /// <summary>A message for the entity <paramref name="entityId"/> of a shard region.</summary>
    public static ShardingEnvelope To(string entityId, object message) => new(entityId, message);

    /// <summary>Reports a marker line (sampling, update, checkpoint, applied) when r1.engine.markers is on.</summary>
    public void Mark(string marker)
    {
        if (Settings.Markers) Observer.OnMarker?.Invoke(marker);
    }

    /// <summary>The checkpoint folder of policy version <paramref name="version"/>.</summary>
    public string CheckpointDirectory(long version) => Run.Layout.Checkpoint(version);
}
