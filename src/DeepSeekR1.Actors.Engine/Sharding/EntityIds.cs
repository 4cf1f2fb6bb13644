using Akka.Cluster.Sharding;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Engine.Sharding;

/// <summary>The names of entity kinds and how their ids are formed.</summary>
public static class EntityIds
{
    /// <summary>Sharding type name of runs.</summary>
    public const string RunKind = "run";
    /// <summary>Sharding type name of prompt groups.</summary>
    public const string GroupKind = "prompt-group";
    /// <summary>Sharding type name of rollout samplers.</summary>
    public const string SamplerKind = "rollout-sampler";
    /// <summary>Sharding type name of reward verifiers.</summary>
    public const string VerifierKind = "reward-verifier";
    /// <summary>Sharding type name of reward models.</summary>
    public const string RewardModelKind = "reward-model";

    /// <summary>A message for the entity <paramref name="entityId"/> of a shard region.</summary>
    public static ShardingEnvelope To(string entityId, object message) => new(entityId, message);

    /// <summary>Persistence ids: what comes before the run id (run, learner) or the group id (group) in the journal.</summary>
    public const string RunPersistencePrefix = "run-", LearnerPersistencePrefix = "learner-", GroupPersistencePrefix = "group-";

    /// <summary>The journal's persistence id of run <paramref name="runId"/>'s run entity.</summary>
    public static string RunPersistenceId(string runId) => RunPersistencePrefix + runId;

    /// <summary>The journal's persistence id (and tag) of pipeline <paramref name="pipelineId"/>'s entity.</summary>
    public static string PipelinePersistenceId(string pipelineId) => "pipeline-" + pipelineId;

    /// <summary>The journal's persistence id of run <paramref name="runId"/>'s learner.</summary>
    public static string LearnerPersistenceId(string runId) => LearnerPersistencePrefix + runId;

    /// <summary>The journal's persistence id of prompt group <paramref name="groupId"/> (see <see cref="Group"/>).</summary>
    public static string GroupPersistenceId(string groupId) => GroupPersistencePrefix + groupId;

    /// <summary>Whether <paramref name="persistenceId"/> belongs to run <paramref name="runId"/> (its run, learner or one of its groups).</summary>
    public static bool BelongsToRun(string persistenceId, string runId) =>
        persistenceId == RunPersistenceId(runId) || persistenceId == LearnerPersistenceId(runId)
        || persistenceId.StartsWith(GroupPersistencePrefix + runId + "/", StringComparison.Ordinal);

    /// <summary>The run id of a run entity's persistence id; null for any other persistence id.</summary>
    public static string? RunOf(string persistenceId) =>
        persistenceId.StartsWith(RunPersistencePrefix, StringComparison.Ordinal) ? persistenceId[RunPersistencePrefix.Length..] : null;

    /// <summary>A prompt group's id: <c>RUN/sSTEP-gINDEX</c>, zero-padded so ids sort in step and group order.</summary>
    public static string Group(string runId, long step, int index) => $"{runId}/s{step:D6}-g{index:D4}";

    /// <summary>A sampler slot's id.</summary>
    public static string SamplerSlot(int slot) => $"slot-{slot}";

    /// <summary>
    /// The verifier entity that scores <paramref name="kind"/> answers of group <paramref name="groupId"/>: one entity for
    /// math and one for Countdown (microseconds an answer), and for code one of <paramref name="codeShards"/> entities
    /// (<c>code-N</c>, N from a stable hash of the group), since each code answer is a sandbox process that takes
    /// tenths of a second and the shards spread a step's groups over the reward nodes.
    /// </summary>
    public static string Verifier(AnswerKind kind, string groupId, int codeShards) => kind switch
    {
        AnswerKind.CountdownExpression => "countdown",
        AnswerKind.Code => $"code-{StableHash.Of(groupId) % (ulong)Math.Max(1, codeShards)}",
        AnswerKind.General => "general",
        _ => "math",
    };

    /// <summary>
    /// The reward-model entity that scores group <paramref name="groupId"/>'s outputs with <paramref name="kind"/>'s model:
    /// <c>helpfulness-N</c> or <c>safety-N</c>, N from a stable hash of the group over <paramref name="shards"/> copies, so
    /// a step's groups spread over the reward nodes and one group's requests always meet in one batch.
    /// </summary>
    public static string RewardModel(Model.Reward.RewardModelKind kind, string groupId, int shards) =>
        $"{Model.Reward.RewardModelCheckpoint.KindName(kind)}-{StableHash.Of(groupId) % (ulong)Math.Max(1, shards)}";

    /// <summary>Which model a reward-model entity id (<see cref="RewardModel"/>) serves.</summary>
    /// <exception cref="ArgumentException">The id does not start with a model kind.</exception>
    public static Model.Reward.RewardModelKind RewardModelOf(string entityId) =>
        Enum.GetValues<Model.Reward.RewardModelKind>().Where(k => entityId.StartsWith(Model.Reward.RewardModelCheckpoint.KindName(k) + "-", StringComparison.Ordinal))
            .Select(k => (Model.Reward.RewardModelKind?)k).FirstOrDefault()
            ?? throw new ArgumentException($"reward-model entity id '{entityId}' names no model kind (helpfulness-N or safety-N)", nameof(entityId));

    /// <summary>The pub-sub topic of a run's progress reports.</summary>
    public static string RunTopic(string runId) => $"run-{runId}";

    /// <summary>The pub-sub topic of a run's policy versions.</summary>
    public static string PolicyTopic(string runId) => $"policy-{runId}";
}
