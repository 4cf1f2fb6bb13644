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

    /// <summary>A prompt group's id: <c>RUN/sSTEP-gINDEX</c>, zero-padded so ids sort in step and group order.</summary>
    public static string Group(string runId, long step, int index) => $"{runId}/s{step:D6}-g{index:D4}";

    /// <summary>A sampler slot's id.</summary>
    public static string SamplerSlot(int slot) => $"slot-{slot}";

    /// <summary>The verifier kind that scores <paramref name="kind"/> answers.</summary>
    public static string Verifier(AnswerKind kind) => kind == AnswerKind.CountdownExpression ? "countdown" : "math";

    /// <summary>The pub-sub topic of a run's progress reports.</summary>
    public static string RunTopic(string runId) => $"run-{runId}";

    /// <summary>The pub-sub topic of a run's policy versions.</summary>
    public static string PolicyTopic(string runId) => $"policy-{runId}";
}
