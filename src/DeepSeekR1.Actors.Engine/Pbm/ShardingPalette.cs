using Akka.Actor;
using Akka.Cluster.Sharding;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>The <c>cluster-sharding</c> palette: the entity kinds this node shards, and their shards per region.</summary>
internal static class ShardingPalette
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static PbmPalette Create(ActorSystem system)
    {
        var sharding = ClusterSharding.Get(system);
        return new("cluster-sharding", "Sharded entity kinds: regions, shards and entities",
        [
            new(new("regions", "Every entity kind (shard region) with the shards and entities it holds on this node", []),
                i => Regions(sharding, i)),
            new(new("region-stats", "Shards and entities of one entity kind in every region of the cluster",
                [new("type", "The entity kind, as 'regions' lists it", Required: true)]), i => RegionStats(sharding, i)),
        ]);
    }

    private static async Task Regions(ClusterSharding sharding, PbmInvocation invocation)
    {
        var table = new PbmTable("type", "shards", "entities");
        foreach (string type in sharding.ShardTypeNames.Order(StringComparer.Ordinal))
        {
            var state = await sharding.ShardRegion(type).Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AskTimeout, invocation.Cancellation);
            table.Add(type, state.Shards.Count, state.Shards.Sum(s => s.EntityIds.Count));
        }
        await invocation.Send(table.ToFrame("shards and entities on this node; 'region-stats --type T' shows every region"));
    }

    private static async Task RegionStats(ClusterSharding sharding, PbmInvocation invocation)
    {
        string type = invocation.Option("type")!;
        // A kind this node does not host is usually proxied here (a learner node proxies the rollout samplers): the
        // proxy asks the same coordinator, so the answer covers the cluster from any node.
        var region = RegionOrProxy(sharding, type) ?? throw new PbmException(
            $"no entity kind '{type}'{ClosestName.Hint(type, KnownKinds)}: this node neither hosts nor proxies it; kinds: {string.Join(", ", KnownKinds)}");
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(AskTimeout), AskTimeout * 2, invocation.Cancellation);
        var table = new PbmTable("region", "shards", "entities", "failed_shards");
        foreach (var (address, regionStats) in stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal))
            table.Add(address.ToString(), regionStats.Stats.Count, regionStats.Stats.Values.Sum(), regionStats.Failed.Count);
        bool proxied = !sharding.ShardTypeNames.Contains(type);
        await invocation.Send(table.ToFrame($"entity kind '{type}'" + (proxied ? ", asked through this node's proxy (the regions live on other nodes)" : "")));
    }

    // Every kind the engine shards, in the order 'regions' sorts them.
    private static readonly string[] KnownKinds =
        new[] { EntityIds.RunKind, EntityIds.GroupKind, EntityIds.SamplerKind, EntityIds.VerifierKind }.Order(StringComparer.Ordinal).ToArray();

    private static IActorRef? RegionOrProxy(ClusterSharding sharding, string type)
    {
        if (sharding.ShardTypeNames.Contains(type)) return sharding.ShardRegion(type);
        try { return sharding.ShardRegionProxy(type); }
        catch (ArgumentException) { return null; }   // "Shard type [T] must be started first"
    }
}
