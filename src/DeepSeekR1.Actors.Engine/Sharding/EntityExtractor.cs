using Akka.Cluster.Sharding;

namespace DeepSeekR1.Actors.Engine.Sharding;

/// <summary>
/// Routes messages to entities with a fixed shard count (changing the count re-homes every entity, so it is fixed for
/// a journal's life). Every message travels in a <see cref="ShardingEnvelope"/>, which Akka unwraps itself: the entity
/// id is the envelope's and the shard a stable hash of it; a bare message has no entity and is refused.
/// </summary>
/// <param name="shardCount">Shards of the entity kind.</param>
public sealed class EntityExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    /// <inheritdoc />
    public override string EntityId(object message) =>
        throw new ArgumentException($"sharded messages travel in a ShardingEnvelope, got a bare {message.GetType().Name}");
}
