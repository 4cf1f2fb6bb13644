using Akka.Actor;
using Akka.Cluster;
using DeepSeekR1.Actors.Engine.Cluster;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>Where the learner may find expert shard s: the nodes it asks, in order, until one answers for it.</summary>
public interface IExpertShardDirectory
{
    /// <summary>The addresses of the nodes that may host shard <paramref name="shard"/>.</summary>
    IReadOnlyList<Address> Candidates(int shard);
}

/// <summary>Finding a shard's actor: ask each candidate node in turn until one answers for the shard.</summary>
public static class ExpertShardLookup
{
    /// <summary>The shard's actor and its status, or null when no candidate answers within <paramref name="probe"/> each.</summary>
    public static async Task<(ActorSelection Actor, Contracts.ExpertShardStatus Status)?> Find(
        ActorSystem system, IExpertShardDirectory directory, string runId, int shard, TimeSpan probe, CancellationToken cancellation = default)
    {
        foreach (var node in directory.Candidates(shard))
        {
            var selection = system.ActorSelection(new RootActorPath(node) / "user" / ExpertShardActor.Name(shard));
            try
            {
                if (await selection.Ask<object>(new Contracts.ExpertShardHello(runId, shard), probe, cancellation) is Contracts.ExpertShardStatus status)
                    return (selection, status);
            }
            catch (AskTimeoutException)
            {
                // not there (or not yet): the next candidate
            }
        }
        return null;
    }
}

/// <summary>The cluster's members with the <c>experts</c> role that are up (a node hosts the shards it was started with).</summary>
public sealed class ClusterExpertDirectory(ActorSystem system) : IExpertShardDirectory
{
    /// <inheritdoc />
    public IReadOnlyList<Address> Candidates(int shard) =>
        Akka.Cluster.Cluster.Get(system).State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(NodeRoles.Experts))
            .Select(m => m.Address).ToArray();
}

/// <summary>Fixed node addresses (two actor systems without a cluster, as in tests and the benchmark).</summary>
public sealed class FixedExpertDirectory(IReadOnlyList<Address> nodes) : IExpertShardDirectory
{
    /// <inheritdoc />
    public IReadOnlyList<Address> Candidates(int shard) => nodes;
}
