using Akka.Configuration;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Engine.Cluster;

/// <summary>
/// How one node takes part in the cluster: its roles and seed nodes (<c>akka.cluster</c>) and the engine's own cluster
/// settings (HOCON section <c>r1.cluster</c>, commented in <c>hocon/local.conf</c>).
/// </summary>
/// <param name="Roles">The node's roles; every role when none is configured.</param>
/// <param name="SeedNodes">The seed nodes to join; none = a single node that joins itself.</param>
/// <param name="JoinTimeout">How long the node waits to become a member.</param>
/// <param name="DriveInterval">How often the driver of a run re-sends StartRun.</param>
public sealed record ClusterSettings(IReadOnlyList<string> Roles, IReadOnlyList<string> SeedNodes, TimeSpan JoinTimeout, TimeSpan DriveInterval)
{
    /// <summary>Environment variable with comma-separated seed node addresses (for containers), used by the CLI.</summary>
    public const string SeedNodesVariable = "R1_SEED_NODES";

    /// <summary>Environment variable with the journal's connection string; wins over <c>r1.cluster.journal-connection</c>.</summary>
    public const string JournalConnectionVariable = "R1_JOURNAL_CONNECTION";

    /// <summary>A single node with every role, as the engine runs by default.</summary>
    public static ClusterSettings SingleNode { get; } = new(NodeRoles.All, [], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));

    /// <summary>Whether no seed nodes are configured: the node joins itself and is the whole cluster.</summary>
    public bool IsSingleNode => SeedNodes.Count == 0;

    /// <summary>Whether this node hosts what <paramref name="role"/> hosts.</summary>
    public bool Has(string role) => Roles.Contains(role);

    /// <summary>Reads the node's roles, seeds and <c>r1.cluster</c> from <paramref name="config"/>.</summary>
    public static ClusterSettings From(Config config)
    {
        var section = HoconBinder.Bind<ClusterSection>(config, "r1.cluster");
        return new ClusterSettings(EffectiveRoles(config), (config.GetStringList("akka.cluster.seed-nodes") ?? []).ToArray(),
            section.JoinTimeout, section.DriveInterval);
    }

    /// <summary>The configured roles, or every role when none is configured.</summary>
    public static IReadOnlyList<string> EffectiveRoles(Config config)
    {
        var roles = config.GetStringList("akka.cluster.roles") ?? [];
        return roles.Count == 0 ? NodeRoles.All : roles.ToArray();
    }

    /// <summary>The seed nodes named by <see cref="SeedNodesVariable"/>; empty when it is unset or blank.</summary>
    public static IReadOnlyList<string> SeedsFromEnvironment() =>
        (Environment.GetEnvironmentVariable(SeedNodesVariable) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The journal's connection string for a server database: <see cref="JournalConnectionVariable"/> when set, else
    /// <c>r1.cluster.journal-connection</c>; throws with what to set when both are empty.
    /// </summary>
    public static string JournalConnection(Config config, string provider)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(JournalConnectionVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;
        string fromConfig = HoconBinder.Bind<ClusterSection>(config, "r1.cluster").JournalConnection;
        if (!string.IsNullOrWhiteSpace(fromConfig)) return fromConfig;
        throw new ArgumentException($"the journal is {provider} but it has no connection string: set {JournalConnectionVariable} " +
            "(for example \"Host=127.0.0.1;Port=5432;Username=r1;Password=...;Database=r1\") or r1.cluster.journal-connection");
    }
}

/// <summary>The HOCON section <c>r1.cluster</c> as it is written (keys and defaults in <c>hocon/local.conf</c> only).</summary>
public sealed record ClusterSection
{
    /// <summary>The journal's connection string when the journal is a server (the environment wins over it).</summary>
    public required string JournalConnection { get; init; }
    /// <summary>A folder every node shares for run folders and checkpoints; empty = the data dir.</summary>
    public required string CheckpointStore { get; init; }
    /// <summary>How long a node waits to become a member.</summary>
    public required TimeSpan JoinTimeout { get; init; }
    /// <summary>How often the driver of a run re-sends StartRun.</summary>
    public required TimeSpan DriveInterval { get; init; }
}
