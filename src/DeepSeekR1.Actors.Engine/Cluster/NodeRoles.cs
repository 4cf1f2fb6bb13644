namespace DeepSeekR1.Actors.Engine.Cluster;

/// <summary>
/// The roles a node can have (<c>akka.cluster.roles</c>), and what each one hosts. A node hosts the kinds of its roles
/// and reaches every other kind through a proxy; a node with no role configured has them all (the single node).
/// </summary>
public static class NodeRoles
{
    /// <summary>
    /// The learner singleton, the work-queue singleton and the run entities: the run's coordination lives beside the
    /// policy it waits for, so a step's hand-offs between them do not cross the network.
    /// </summary>
    public const string Learner = "learner";

    /// <summary>Sampler slots (one per device); each rollout node starts its own slots.</summary>
    public const string Rollout = "rollout";

    /// <summary>
    /// Reward verifiers and the prompt groups that call them: a group's bookkeeping (journaling each rollout, the
    /// advantages) is CPU work that scales with the rollouts, as verifying does.
    /// </summary>
    public const string Reward = "reward";

    /// <summary>
    /// Expert shards (<c>r1.experts.location = nodes</c>): each node hosts the shards it is started with
    /// (<c>r1.experts.node-shards</c>, e.g. <c>r1 node --roles experts --set r1.experts.node-shards=[0,1]</c>; all of them by default), one per device.
    /// </summary>
    public const string Experts = "experts";

    /// <summary>
    /// No hosting at all: a node with only this role (the process that drives a run, <c>r1 train</c> on a cluster)
    /// reaches every kind through proxies.
    /// </summary>
    public const string Driver = "driver";

    /// <summary>Every role: what a node without configured roles has.</summary>
    public static readonly IReadOnlyList<string> All = [Learner, Rollout, Reward, Experts];
}
