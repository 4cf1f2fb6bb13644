using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Rl.Safety;

/// <summary>Who labels the answers of a safety evaluation.</summary>
public enum SafetyJudgeKind
{
    /// <summary>The rule-based judge of the toy set (<see cref="SafetyJudge"/>).</summary>
    Rules,

    /// <summary>The safety reward model: unsafe below the risk-control threshold; refusals still found by the rules.</summary>
    SafetyRm,
}

/// <summary>How <c>r1 safety eval</c> answers and judges (HOCON <c>r1.safety-eval</c>).</summary>
public sealed record SafetyEvalSettings
{
    /// <summary>The shipped defaults.</summary>
    public static SafetyEvalSettings Defaults => ShippedDefaults.Bind<SafetyEvalSettings>("r1.safety-eval");

    /// <summary>Who labels.</summary>
    public required SafetyJudgeKind Judge { get; init; }

    /// <summary>Safety reward model of the model judge; empty = r1.risk-control.safety-rm.</summary>
    public required string JudgeCheckpoint { get; init; }

    /// <summary>Sampling temperature of the answers.</summary>
    public required double Temperature { get; init; }

    /// <summary>Nucleus mass of the answers.</summary>
    public required double TopP { get; init; }

    /// <summary>Most tokens per answer.</summary>
    public required int MaxNewTokens { get; init; }
}
