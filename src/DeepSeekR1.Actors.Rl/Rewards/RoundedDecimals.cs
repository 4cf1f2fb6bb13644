using System.Numerics;
using DeepSeekR1.Actors.Rl.Numerics;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// A decimal answer for a gold fraction that no decimal can write exactly (1/12, 1/3, 22/7): accepted when it is the gold
/// correctly rounded to the places it shows and shows enough of them (at least <see cref="MinDigits"/> significant
/// digits and <see cref="MinDecimalPlaces"/> decimal places), so <c>0.0833</c> answers 1/12 and <c>0.333</c> answers 1/3,
/// while <c>0.33</c>, <c>0.334</c> and the truncated <c>0.666</c> do not. Only in this direction: a decimal gold is
/// exact as written (0.333 may be 333/1000), so a fraction does not answer it. Policy and its nearest misses:
/// docs/verifier.md ("Rounded decimals for a fraction gold").
/// </summary>
internal static class RoundedDecimals
{
    /// <summary>The fewest significant digits a rounded answer must show (0.33 for 1/3 is too coarse to tell from a slip).</summary>
    public const int MinDigits = 3;

    /// <summary>The fewest decimal places a rounded answer must show (3.14 for 22/7 is also the usual value of pi).</summary>
    public const int MinDecimalPlaces = 3;

    /// <summary>The verdict when <paramref name="predicted"/> is <paramref name="gold"/> correctly rounded, otherwise null.</summary>
    public static Verdict? Matches(ScalarAnswer predicted, ScalarAnswer gold, MathEvaluator evaluator)
    {
        if (predicted.Literal is not { } literal || Shown(literal) is not { } shown)
            return null;
        if (shown.Digits < MinDigits || shown.Places < MinDecimalPlaces)
            return null;
        var places = shown.Places;
        if (evaluator.TryExact(gold.Expression) is not { } exact || Terminates(exact.Denominator))
            return null;
        if (evaluator.TryExact(predicted.Expression) is not { } value)
            return null;
        // Correctly rounded: within half a unit in the last place shown, |value - gold| * 2 * 10^places <= 1. A tie cannot
        // happen (the gold's expansion does not terminate), so no rounding rule for halves is needed.
        var difference = Rational.Subtract(value, exact);
        var scaled = difference is { } d ? Rational.Multiply(d, Rational.FromInteger(2 * BigInteger.Pow(10, places))) : null;
        if (scaled is not { } s || BigInteger.Abs(s.Numerator) > s.Denominator)
            return null;
        return new Verdict(true, $"{literal} is {exact} rounded to {places} decimal places");
    }

    /// <summary>
    /// The significant digits and decimal places <paramref name="literal"/> shows (trailing zeros count: 0.3330 shows four
    /// digits), or null when it has no decimal point or an exponent, where what was rounded is not written.
    /// </summary>
    private static (int Digits, int Places)? Shown(string literal)
    {
        var text = literal.TrimStart('+', '-');
        var point = text.IndexOf('.');
        if (point < 0 || text.Contains('e') || text.Contains('E'))
            return null;
        var allDigits = text.Replace(".", "", StringComparison.Ordinal).TrimStart('0');
        return (allDigits.Length, text.Length - point - 1);
    }

    /// <summary>Whether a reduced denominator has no prime factor but 2 and 5, so the decimal expansion ends.</summary>
    private static bool Terminates(BigInteger denominator)
    {
        foreach (var prime in new[] { 2, 5 })
        {
            while (!denominator.IsZero && (denominator % prime).IsZero)
                denominator /= prime;
        }
        return denominator.IsOne;
    }
}
