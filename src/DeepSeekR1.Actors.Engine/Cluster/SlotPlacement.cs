using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace DeepSeekR1.Actors.Engine.Cluster;

/// <summary>
/// Keeps each sampler slot on the node that started it: a slot stands for one of that node's devices, so it must not
/// be placed by load like other entities. Each slot is its own shard (<see cref="SlotExtractor"/>), allocated to the
/// region that asked first (the starting node's own), and never rebalanced. When the node dies its slots die with it;
/// the surviving nodes' slots take the work.
/// </summary>
internal sealed class SlotAllocation : IShardAllocationStrategy
{
    // Always the requester, even when the coordinator has not registered it yet: the coordinator then ignores the
    // allocation and the region asks again, whereas falling back to another region would move the slot off its node.
    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        Task.FromResult(requester);

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress) =>
        Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
}

/// <summary>
/// Routes sampler messages: every slot is a shard of its own. Messages travel in a <see cref="ShardingEnvelope"/>, which
/// Akka unwraps itself before asking the extractor (as for <see cref="Sharding.EntityExtractor"/>).
/// </summary>
internal sealed class SlotExtractor : IMessageExtractor
{
    public string EntityId(object message) =>
        throw new ArgumentException($"sampler messages travel in a ShardingEnvelope, got a bare {message.GetType().Name}");

    public object EntityMessage(object message) => message;

    public string ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
