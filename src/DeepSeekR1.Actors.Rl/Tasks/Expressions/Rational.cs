using System.Globalization;
using System.Numerics;

namespace DeepSeekR1.Actors.Rl.Tasks.Expressions;

/// <summary>
/// An exact fraction in lowest terms with a positive denominator. Checking "equals the target" with
/// doubles would accept 0.1 * 3 = 0.30000000000000004 style near-misses and reject some exact results;
/// fractions of big integers have no rounding at all.
/// </summary>
public readonly record struct Rational
{
    /// <summary>Builds <paramref name="numerator"/> / <paramref name="denominator"/>, reduced.</summary>
    /// <param name="numerator">Top of the fraction.</param>
    /// <param name="denominator">Bottom of the fraction; must not be zero.</param>
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("A rational number cannot have a zero denominator.");
        }

        BigInteger divisor = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (denominator.Sign < 0)
        {
            divisor = -divisor;
        }

        Numerator = numerator / divisor;
        Denominator = denominator / divisor;
    }

    /// <summary>Top of the fraction, carrying the sign.</summary>
    public BigInteger Numerator { get; }

    /// <summary>Bottom of the fraction, always positive.</summary>
    public BigInteger Denominator { get; }

    /// <summary>Whether the value is a whole number.</summary>
    public bool IsInteger => Denominator.IsOne;

    /// <summary>Whether the value is zero.</summary>
    public bool IsZero => Numerator.IsZero;

    /// <summary>A whole number as a rational.</summary>
    /// <param name="value">The whole number.</param>
    public static implicit operator Rational(long value) => new(value, BigInteger.One);

    /// <summary>Exact sum.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>a + b.</returns>
    public static Rational operator +(Rational a, Rational b) =>
        new((a.Numerator * b.Denominator) + (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    /// <summary>Exact difference.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>a - b.</returns>
    public static Rational operator -(Rational a, Rational b) =>
        new((a.Numerator * b.Denominator) - (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    /// <summary>Exact product.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>a * b.</returns>
    public static Rational operator *(Rational a, Rational b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>Exact quotient; throws <see cref="DivideByZeroException"/> when <paramref name="b"/> is zero (check <see cref="IsZero"/> first).</summary>
    /// <param name="a">Dividend.</param>
    /// <param name="b">Divisor.</param>
    /// <returns>a / b.</returns>
    public static Rational operator /(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    /// <summary>The value as <c>n</c> or <c>n/d</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => IsInteger
        ? Numerator.ToString(CultureInfo.InvariantCulture)
        : $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";
}
