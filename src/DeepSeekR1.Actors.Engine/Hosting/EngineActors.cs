namespace DeepSeekR1.Actors.Engine.Hosting;

// Keys of the node's ActorRegistry (Akka.Hosting): Placement registers each region and singleton proxy under its key
// once it is started, and an entity's props factory looks up the peers that entity talks to when sharding creates it.
// Nothing else carries refs around, so each actor's constructor says exactly whom it talks to.

/// <summary>The run entities' shard region (or proxy).</summary>
internal sealed class RunRegion;

/// <summary>The prompt groups' shard region (or proxy).</summary>
internal sealed class GroupRegion;

/// <summary>The rollout samplers' shard region (or proxy).</summary>
internal sealed class SamplerRegion;

/// <summary>The reward verifiers' shard region (or proxy).</summary>
internal sealed class VerifierRegion;

/// <summary>The reward models' shard region (or proxy); registered only when the run's rewards use reward models.</summary>
internal sealed class RewardModelRegion;

/// <summary>The proxy of the run's learner singleton.</summary>
internal sealed class LearnerSingleton;

/// <summary>The proxy of the run's work-queue singleton.</summary>
internal sealed class WorkQueueSingleton;
