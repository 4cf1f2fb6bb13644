namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>The knobs of the GRPO policy loss.</summary>
/// <remarks>
/// Defaults follow the PPO/GRPO clipping of 0.2 on both sides and DeepSeek-R1's KL coefficient (0.001;
/// DeepSeekMath used 0.04). R1 reports a clip ratio of 10: as an eps that never clips the low side (1 - 10 &lt; 0) and
/// clips only ratios above 11, i.e. little more than a guard against runaway ratios; set both eps to 10 to reproduce it.
/// </remarks>
public sealed record GrpoLossOptions
{
    /// <summary>Lower clip range: the ratio is clipped at 1 - ClipEpsLow (matters for negative advantages).</summary>
    public double ClipEpsLow { get; init; } = 0.2;

    /// <summary>
    /// Upper clip range: the ratio is clipped at 1 + ClipEpsHigh (matters for positive advantages). DAPO's
    /// "clip-higher" raises it above ClipEpsLow (for example 0.28) so unlikely tokens can grow faster, which keeps entropy up.
    /// </summary>
    public double ClipEpsHigh { get; init; } = 0.2;

    /// <summary>KL penalty coefficient beta; 0 disables the penalty, and then the reference log-probs may be omitted.</summary>
    public double Beta { get; init; } = 0.001;

    /// <summary>How per-token losses are reduced to a scalar.</summary>
    public LossAggregation Aggregation { get; init; } = LossAggregation.SeqMeanTokenMean;

    /// <summary>
    /// The constant L of <see cref="LossAggregation.DrGrpo"/>: normally the generation budget (max new tokens).
    /// Ignored by the other modes; must be positive when DrGrpo is chosen.
    /// </summary>
    public int MaxCompletionLength { get; init; }

    /// <summary>Throws when the options cannot describe a valid loss.</summary>
    /// <exception cref="ArgumentException">An eps or beta is negative, or DrGrpo lacks a length.</exception>
    public void Validate()
    {
        if (!(ClipEpsLow >= 0))
        {
            throw new ArgumentException($"ClipEpsLow must be non-negative, got {ClipEpsLow}.");
        }

        if (!(ClipEpsHigh >= 0))
        {
            throw new ArgumentException($"ClipEpsHigh must be non-negative, got {ClipEpsHigh}.");
        }

        if (!(Beta >= 0))
        {
            throw new ArgumentException($"Beta must be non-negative, got {Beta}.");
        }

        if (Aggregation == LossAggregation.DrGrpo && MaxCompletionLength <= 0)
        {
            throw new ArgumentException("DrGrpo aggregation needs a positive MaxCompletionLength.");
        }
    }
}
