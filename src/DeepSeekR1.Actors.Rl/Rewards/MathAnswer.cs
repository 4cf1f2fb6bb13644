namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Decides whether a predicted final answer is mathematically equivalent to the gold answer.
/// <para>Policies, so that graders and readers agree on edge cases:</para>
/// <list type="bullet">
/// <item>Values built only from numbers with + - * / and integer powers are compared EXACTLY (as rationals): 3/4 =
/// 0.75 = \frac{3}{4}, 1000000 differs from 1000001. The one exception is a decimal answer for a gold fraction whose
/// expansion does not end, accepted when correctly rounded to at least 3 significant digits and 3 places (0.333 for
/// 1/3, not 0.33; <see cref="RoundedDecimals"/>). Anything else (pi, roots, logarithms, variables) is compared in
/// double precision with a relative tolerance of <see cref="RelativeTolerance"/>.</item>
/// <item>Percent: a value written with % matches the same number without it OR that number divided by 100, so
/// "50%" equals gold "50" and gold "0.5" (and the other way round); when both or neither carry %, numbers
/// compare as written.</item>
/// <item>Units and currency after or before a plain number are ignored (<c>$18</c>, <c>18 dollars</c>,
/// <c>5\text{ cm}</c>, <c>90^\circ</c>); <c>x = 3</c> answers with 3.</item>
/// <item>Tuples and intervals compare in order and need the same brackets (<c>[1,3)</c> differs from <c>(1,3)</c>);
/// sets <c>{1,2}</c> and bare lists <c>1, 2</c> compare as sets (order-insensitive, equal sizes).</item>
/// <item>Expressions with variables compare by value at several deterministic pseudo-random points; equations
/// compare as left-minus-right up to sign.</item>
/// <item>Anything hostile (too long, too deep, power towers, numbers that do not fit) scores 0 with a reason, and so
/// does a check that runs past its time budget (<see cref="RewardLimits.MaxVerifyMilliseconds"/>; reason <c>timeout</c>).</item>
/// <item>More kinds (\pm, ratios, matrices, unions, linear inequalities, percent, rounding) and the choices behind
/// them: docs/verifier.md.</item>
/// </list>
/// </summary>
public static class MathAnswer
{
    /// <summary>The relative tolerance for inexact (floating-point) comparisons.</summary>
    public const double RelativeTolerance = 1e-6;

    /// <summary>How many sample points decide whether two expressions with variables agree.</summary>
    private const int SamplePoints = 8;

    /// <summary>
    /// Compares a predicted answer with the gold answer: 1 with the reason when equivalent, otherwise 0 with why.
    /// Never throws, whatever the inputs.
    /// </summary>
    /// <param name="predicted">The model's final answer (already extracted from the completion).</param>
    /// <param name="gold">The reference answer.</param>
    public static RewardResult AreEquivalent(string? predicted, string? gold) =>
        AreEquivalent(predicted, gold, TimeSpan.FromMilliseconds(RewardLimits.MaxVerifyMilliseconds));

    /// <summary>
    /// Like <see cref="AreEquivalent(string?, string?)"/> with a time budget: a check that runs past
    /// <paramref name="budget"/> scores 0 with the reason <c>timeout</c> (never 1, whatever it had found so far).
    /// </summary>
    /// <param name="predicted">The model's final answer (already extracted from the completion).</param>
    /// <param name="gold">The reference answer.</param>
    /// <param name="budget">The wall-clock budget of this one check.</param>
    public static RewardResult AreEquivalent(string? predicted, string? gold, TimeSpan budget)
    {
        if (string.IsNullOrWhiteSpace(predicted))
            return RewardResult.Fail("empty answer");
        if (string.IsNullOrWhiteSpace(gold))
            return RewardResult.Fail("empty gold answer");
        if (predicted.Length > RewardLimits.MaxAnswerChars)
            return RewardResult.Fail($"answer too long ({predicted.Length} chars > {RewardLimits.MaxAnswerChars})");
        if (gold.Length > RewardLimits.MaxAnswerChars)
            return RewardResult.Fail($"gold answer too long ({gold.Length} chars > {RewardLimits.MaxAnswerChars})");

        using var clock = VerifierClock.Start(budget);
        try
        {
            return Compare(predicted, gold);
        }
        catch (VerifierTimeoutException timeout)
        {
            return RewardResult.Fail(timeout.Message);
        }
        catch (AnswerRejectedException rejected)
        {
            return RewardResult.Fail(rejected.Message);
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException)
        {
            // A verifier must score every output: a bug here must cost one sample's reward, not crash the actor
            // that scores a whole group. The reason names the failure so that it gets fixed.
            return RewardResult.Fail($"verifier error: {unexpected.GetType().Name}: {unexpected.Message}");
        }
    }

    private static RewardResult Compare(string predicted, string gold)
    {
        predicted = AnswerSentence.Unwrap(predicted, gold);
        // A unit may be left out, not changed: 5 m is not 5 km.
        if (AnswerUnits.Conflict(predicted, gold) is { } units)
            return RewardResult.Fail(units);
        var normalisedPredicted = LatexNormalizer.Normalize(predicted);
        var normalisedGold = LatexNormalizer.Normalize(gold);
        VerifierClock.Check();
        if (string.Equals(normalisedPredicted, normalisedGold, StringComparison.Ordinal))
            return RewardResult.Pass("identical after normalisation");

        ParsedAnswer goldAnswer;
        try
        {
            goldAnswer = AnswerParser.Parse(normalisedGold);
        }
        catch (AnswerRejectedException rejected)
        {
            return RewardResult.Fail($"gold not parseable ({rejected.Message}) and texts differ");
        }
        ParsedAnswer predictedAnswer;
        try
        {
            predictedAnswer = AnswerParser.Parse(normalisedPredicted);
        }
        catch (AnswerRejectedException rejected)
        {
            return RewardResult.Fail($"answer not parseable: {rejected.Message}");
        }

        var comparer = new AnswerComparer(new MathEvaluator(), RelativeTolerance, SamplePoints);
        var verdict = comparer.Compare(predictedAnswer, goldAnswer);
        VerifierClock.Check();   // a verdict reached after the deadline is still a timeout
        return verdict.Equal
            ? RewardResult.Pass($"equivalent: {verdict.Detail}")
            : RewardResult.Fail($"not equivalent: {verdict.Detail}");
    }
}
