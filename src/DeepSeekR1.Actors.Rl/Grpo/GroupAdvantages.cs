namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// Group-relative advantages: GRPO's replacement for a value model. Each output is judged against the other
/// outputs sampled for the same question, so the group mean plays the role of the baseline.
/// </summary>
/// <remarks>
/// <para>
/// Standard deviation: this class uses the <b>population</b> standard deviation (divide by G, not G - 1).
/// TRL calls <c>torch.std</c>, which is the sample (Bessel-corrected) estimate. The choice is deliberate:
/// the group is not a sample whose spread we try to estimate, it is the whole set of outputs the update is
/// taken over, and with the population form the advantages of a group have exactly unit root-mean-square
/// (sum of A² = G), so a binary group such as [1, 0, 0, 1] gets advantages of exactly ±1. The two choices differ
/// by the constant factor sqrt(G / (G - 1)) for a fixed group size (1.03 at G = 16), which Adam's scale
/// invariance all but absorbs, so nothing about training dynamics hinges on it; but a group of one output is
/// well defined here (advantage 0) where the sample form divides by zero.
/// </para>
/// <para>
/// A group whose rewards are all equal carries no learning signal: its advantages are exactly 0, not
/// "almost 0". The floating-point mean of equal values can differ from them in the last bit, and dividing that
/// residue by a small epsilon would turn it into a spurious push, so such groups are detected and zeroed explicitly.
/// </para>
/// </remarks>
public static class GroupAdvantages
{
    /// <summary>The epsilon TRL adds to the standard deviation; small enough to leave any real spread alone.</summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>
    /// Advantages for one group. With <see cref="AdvantageScaling.BatchStd"/> the group is the whole batch,
    /// so the result equals <see cref="AdvantageScaling.GroupStd"/>.
    /// </summary>
    /// <param name="rewards">The rewards of the G outputs of one question.</param>
    /// <param name="scaling">How to scale the centred rewards.</param>
    /// <param name="eps">Added to the standard deviation before dividing; must be non-negative.</param>
    /// <returns>One advantage per reward, in the same order.</returns>
    /// <exception cref="ArgumentException">A reward is NaN or infinite, or <paramref name="eps"/> is negative.</exception>
    public static double[] Compute(IReadOnlyList<double> rewards, AdvantageScaling scaling, double eps = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        return ComputeBatch([rewards], scaling, eps)[0];
    }

    /// <summary>Advantages for several groups at once, which <see cref="AdvantageScaling.BatchStd"/> needs.</summary>
    /// <param name="groups">The rewards of each group; groups may differ in size.</param>
    /// <param name="scaling">How to scale the centred rewards.</param>
    /// <param name="eps">Added to the standard deviation before dividing; must be non-negative.</param>
    /// <returns>One array of advantages per group, in the same order and shape as <paramref name="groups"/>.</returns>
    /// <exception cref="ArgumentException">A reward is NaN or infinite, or <paramref name="eps"/> is negative.</exception>
    public static double[][] ComputeBatch(IReadOnlyList<IReadOnlyList<double>> groups, AdvantageScaling scaling, double eps = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (!(eps >= 0))
        {
            throw new ArgumentException($"eps must be non-negative, got {eps}.", nameof(eps));
        }

        foreach (var group in groups)
        {
            ArgumentNullException.ThrowIfNull(group, nameof(groups));
            foreach (var r in group)
            {
                // A NaN reward would silently poison every advantage of its group (and, with BatchStd, the batch).
                if (!double.IsFinite(r))
                {
                    throw new ArgumentException($"Rewards must be finite numbers, got {r}.", nameof(groups));
                }
            }
        }

        var batchStd = scaling == AdvantageScaling.BatchStd ? PopulationStd(groups.SelectMany(g => g).ToArray()) : 0.0;

        var result = new double[groups.Count][];
        for (var g = 0; g < groups.Count; g++)
        {
            var rewards = groups[g];
            var advantages = new double[rewards.Count];
            result[g] = advantages;
            if (!DynamicSampling.KeepGroup(rewards))
            {
                continue; // all rewards equal: no signal, advantages stay exactly 0.
            }

            var mean = rewards.Average();
            var divisor = scaling switch
            {
                AdvantageScaling.GroupStd => PopulationStd(rewards) + eps,
                AdvantageScaling.BatchStd => batchStd + eps,
                AdvantageScaling.None => 1.0,
                _ => throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "Unknown advantage scaling."),
            };
            for (var i = 0; i < rewards.Count; i++)
            {
                advantages[i] = (rewards[i] - mean) / divisor;
            }
        }

        return result;
    }

    /// <summary>Population standard deviation (divides by the count); 0 for an empty list.</summary>
    /// <param name="values">The values.</param>
    /// <returns>sqrt(mean((x - mean(x))²)).</returns>
    public static double PopulationStd(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return 0.0;
        }

        var mean = values.Average();
        var sumSquares = 0.0;
        foreach (var v in values)
        {
            sumSquares += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sumSquares / values.Count);
    }
}
