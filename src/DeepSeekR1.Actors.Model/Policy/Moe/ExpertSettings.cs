using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>Where the expert shards run: beside the learner, or on the cluster's nodes with the <c>experts</c> role.</summary>
public enum ExpertLocation
{
    /// <summary>In the learner's process, inline on its tensor thread.</summary>
    InProcess,

    /// <summary>One shard actor per shard on the nodes with the <c>experts</c> role, reached by messages.</summary>
    Nodes,
}

/// <summary>Where the fault probe <see cref="ExpertSettings.CrashAtUpdate"/> kills a shard's process.</summary>
public enum ExpertCrashPoint
{
    /// <summary>When asked to prepare the update: after its forward and backward, before its gradients are kept (mid-pass).</summary>
    Prepare,

    /// <summary>When asked to apply the update: after its gradients were kept, before it applied them.</summary>
    Apply,
}

/// <summary>Where a MoE policy's routed experts live while it trains (HOCON section <c>r1.experts</c>).</summary>
public sealed record ExpertSettings
{
    /// <summary>The shipped defaults (<c>r1.experts</c> in hocon/), the only place they live.</summary>
    public static ExpertSettings Defaults => ShippedDefaults.Bind<ExpertSettings>("r1.experts");

    /// <summary>Expert shards to spread the routed experts over; 0 keeps them in their layers.</summary>
    public required int Shards { get; init; }

    /// <summary>Where the shards run.</summary>
    public required ExpertLocation Location { get; init; }

    /// <summary>The shards a node with the <c>experts</c> role hosts (empty: all of them).</summary>
    public required IReadOnlyList<int> NodeShards { get; init; }

    /// <summary>The shards a node hosts: <see cref="NodeShards"/>, or every shard when it is empty.</summary>
    public IReadOnlyList<int> HostedShards => NodeShards.Count > 0 ? NodeShards : Enumerable.Range(0, Shards).ToArray();

    /// <summary>
    /// The port of an expert node's data plane, the plain TCP connection that carries forward and backward calls (their
    /// token rows and gradients) instead of Akka's remoting: 0 = any free port (advertised to the learner), -1 = none,
    /// every call goes through remoting.
    /// </summary>
    public required int DataPort { get; init; }

    /// <summary>How long the learner waits for a shard's answer to one call before it counts the shard as lost.</summary>
    public required TimeSpan CallTimeout { get; init; }

    /// <summary>How long the learner waits for a lost shard to answer again (its replacement restored) before it gives up.</summary>
    public required TimeSpan RecoverTimeout { get; init; }

    /// <summary>How many times a learner pass is redone after a shard was lost in it, before the step fails.</summary>
    public required int Retries { get; init; }

    /// <summary>
    /// A fault probe for tests (0: off): the process hosting a shard kills itself (SIGKILL) at <see cref="CrashOn"/> of
    /// this update: a crash mid-step.
    /// </summary>
    public required long CrashAtUpdate { get; init; }

    /// <summary>Where in the update the fault probe strikes.</summary>
    public required ExpertCrashPoint CrashOn { get; init; }

    /// <summary>Checks the values; a bad one is an <see cref="ArgumentException"/> naming its key.</summary>
    public ExpertSettings Validate()
    {
        if (Shards < 0) throw new ArgumentException($"r1.experts.shards must be 0 or more, not {Shards}");
        if (CallTimeout <= TimeSpan.Zero) throw new ArgumentException($"r1.experts.call-timeout must be positive, not {CallTimeout}");
        if (RecoverTimeout <= TimeSpan.Zero) throw new ArgumentException($"r1.experts.recover-timeout must be positive, not {RecoverTimeout}");
        if (NodeShards.Where(n => n < 0 || n >= Shards).Select(n => (int?)n).FirstOrDefault() is int bad)
            throw new ArgumentException($"r1.experts.node-shards: shard {bad} does not exist (r1.experts.shards = {Shards} numbers them 0 to {Shards - 1})");
        if (CrashAtUpdate < 0) throw new ArgumentException($"r1.experts.crash-at-update must be 0 (off) or an update number, not {CrashAtUpdate}");
        if (DataPort is < -1 or > 65535) throw new ArgumentException($"r1.experts.data-port must be -1 (none), 0 (any free port) or a port, not {DataPort}");
        if (Retries < 0) throw new ArgumentException($"r1.experts.retries must be 0 or more, not {Retries}");
        return this;
    }

    /// <summary>Whether <paramref name="config"/>'s routed experts go to shards under these settings.</summary>
    public bool ShardsExpertsOf(ModelConfig config) => Shards > 0 && config.MoeLayers.Count > 0;
}
