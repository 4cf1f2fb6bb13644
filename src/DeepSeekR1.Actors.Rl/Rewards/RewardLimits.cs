namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Hard limits that keep every reward rule fast and bounded on hostile model output. A completion or answer
/// that exceeds one of them scores 0 with a reason instead of being examined further.
/// </summary>
public static class RewardLimits
{
    /// <summary>Largest completion the rules look at, in characters (64 KiB).</summary>
    public const int MaxCompletionChars = 64 * 1024;

    /// <summary>Largest final answer (and gold answer) the math verifier parses, in characters.</summary>
    public const int MaxAnswerChars = 512;

    /// <summary>Most digits one number literal may have; longer literals are treated as hostile.</summary>
    public const int MaxNumberDigits = 300;

    /// <summary>Deepest nesting of parentheses, braces, fractions and signs the expression parser follows.</summary>
    public const int MaxNestingDepth = 40;

    /// <summary>Most exponents nested inside exponents (<c>2^{2^{2^2}}</c> has three levels).</summary>
    public const int MaxPowerTowerHeight = 3;

    /// <summary>Most nodes one parsed expression may have.</summary>
    public const int MaxExpressionNodes = 1_000;

    /// <summary>Largest size, in bits, of the numerator or denominator of an exact rational value.</summary>
    public const int MaxRationalBits = 4_096;

    /// <summary>Most evaluation steps (node visits) one equivalence check may spend over all its sample points.</summary>
    public const int MaxEvaluationSteps = 200_000;

    /// <summary>
    /// Wall-clock budget of one math equivalence check, in milliseconds; past it the answer scores 0 with the reason
    /// <c>timeout</c>. The limits above keep every known input far below it (docs/figures.md: 10,000 lines in 0.46 s).
    /// </summary>
    public const int MaxVerifyMilliseconds = 1_000;
}
