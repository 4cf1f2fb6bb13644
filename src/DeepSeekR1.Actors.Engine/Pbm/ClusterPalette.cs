using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>The <c>cluster</c> palette: membership as this node sees it, leaving, downing, and a live event tail.</summary>
internal static class ClusterPalette
{
    public static PbmPalette Create(ActorSystem system)
    {
        var cluster = AkkaCluster.Get(system);
        return new("cluster", "Cluster membership: who is in, leaving and downing members, a live event tail",
        [
            new(new("show", "Members with their roles and status, the leader, and who is unreachable", []), i => Show(cluster, i)),
            new(new("leave", "Ask a member to leave the cluster gracefully (this node when --address is left out)",
                [new("address", "The member's address, as 'cluster show' prints it")]), i => Leave(cluster, i)),
            new(new("down-unreachable", "Mark every unreachable member down, so that its shards and singletons move elsewhere", []),
                i => DownUnreachable(cluster, i)),
            new(new("tail", "Stream membership and reachability events until interrupted (Ctrl+C)", [], Streaming: true),
                i => Tail(system, cluster, i)),
        ]);
    }

    private static Task Show(AkkaCluster cluster, PbmInvocation invocation)
    {
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var table = new PbmTable("address", "status", "roles", "reachable", "leader", "self");
        foreach (var member in state.Members.Union(state.Unreachable))
            table.Add(member.Address.ToString(), Status(member.Status), Roles(member), !unreachable.Contains(member.Address),
                member.Address == state.Leader, member.Address == cluster.SelfAddress);
        return invocation.Send(table.ToFrame($"{state.Members.Count} member(s), {unreachable.Count} unreachable, seen from {cluster.SelfAddress}"));
    }

    private static Task Leave(AkkaCluster cluster, PbmInvocation invocation)
    {
        var members = cluster.State.Members;
        string wanted = invocation.Option("address") ?? cluster.SelfAddress.ToString();
        var member = members.FirstOrDefault(m => m.Address.ToString() == wanted)
            ?? throw new PbmException($"no member at '{wanted}'{ClosestName.Hint(wanted, members.Select(m => m.Address.ToString()))}; 'cluster show' lists the members");
        cluster.Leave(member.Address);
        string note = member.Address == cluster.SelfAddress
            ? "this node is leaving: its shards and singletons hand over, then it shuts down"
            : "the member is leaving: it goes through leaving and exiting to removed";
        return invocation.Send(new PbmTable("address", "status", "roles").Add(member.Address.ToString(), "leaving", Roles(member)).ToFrame(note));
    }

    private static Task DownUnreachable(AkkaCluster cluster, PbmInvocation invocation)
    {
        var table = new PbmTable("address", "status", "roles");
        foreach (var member in cluster.State.Unreachable)
        {
            cluster.Down(member.Address);
            table.Add(member.Address.ToString(), "down", Roles(member));
        }
        return invocation.Send(table.ToFrame(cluster.State.Unreachable.Count == 0 ? "no member is unreachable; nothing downed" : null));
    }

    // Cluster events reach an actor; a channel hands them to the connection, which writes them as they come.
    private static async Task Tail(ActorSystem system, AkkaCluster cluster, PbmInvocation invocation)
    {
        var events = Channel.CreateUnbounded<ClusterEvent.IClusterDomainEvent>();
        var listener = system.ActorOf(Props.Create(() => new ClusterEventListener(cluster, events.Writer)));
        try
        {
            await invocation.Send(new PbmTable("time", "event", "address", "status", "roles")
                .ToFrame($"membership events seen from {cluster.SelfAddress}, current members first; Ctrl+C ends", streaming: true));
            await foreach (var e in events.Reader.ReadAllAsync(invocation.Cancellation))
                if (Row(e) is { } row) await invocation.Send(row);
        }
        finally
        {
            system.Stop(listener);
        }
    }

    private static PbmFrame? Row(ClusterEvent.IClusterDomainEvent e)
    {
        string time = DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        return e switch
        {
            ClusterEvent.IMemberEvent m => PbmTable.Row(time, Name(e), m.Member.Address.ToString(), Status(m.Member.Status), Roles(m.Member)),
            ClusterEvent.UnreachableMember u => PbmTable.Row(time, "unreachable", u.Member.Address.ToString(), Status(u.Member.Status), Roles(u.Member)),
            ClusterEvent.ReachableMember r => PbmTable.Row(time, "reachable", r.Member.Address.ToString(), Status(r.Member.Status), Roles(r.Member)),
            _ => null,
        };
    }

    // MemberUp -> "up", MemberWeaklyUp -> "weakly-up", MemberExited -> "exited".
    private static string Name(object e)
    {
        string name = e.GetType().Name.Replace("Member", "");
        return string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }

    private static string Status(MemberStatus status) => status.ToString().ToLowerInvariant();

    private static string Roles(Member member) => string.Join(",", member.Roles.Order(StringComparer.Ordinal));

    private sealed class ClusterEventListener : ReceiveActor
    {
        private readonly AkkaCluster cluster;

        public ClusterEventListener(AkkaCluster cluster, ChannelWriter<ClusterEvent.IClusterDomainEvent> events)
        {
            this.cluster = cluster;
            Receive<ClusterEvent.IClusterDomainEvent>(e => events.TryWrite(e));
        }

        protected override void PreStart() =>
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

        protected override void PostStop() => cluster.Unsubscribe(Self);
    }
}
