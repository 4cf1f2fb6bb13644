using Akka.Actor;
using Akka.Cluster.Sharding;

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
        var types = sharding.ShardTypeNames;
        if (!types.Contains(type))
        {
            throw new PbmException($"no entity kind '{type}'{ClosestName.Hint(type, types)}; kinds: {string.Join(", ", types.Order(StringComparer.Ordinal))}");
        }
        var stats = await sharding.ShardRegion(type).Ask<ClusterShardingStats>(new GetClusterShardingStats(AskTimeout), AskTimeout * 2, invocation.Cancellation);
        var table = new PbmTable("region", "shards", "entities", "failed_shards");
        foreach (var (address, region) in stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal))
            table.Add(address.ToString(), region.Stats.Count, region.Stats.Values.Sum(), region.Failed.Count);
        await invocation.Send(table.ToFrame($"entity kind '{type}'"));
    }
}
