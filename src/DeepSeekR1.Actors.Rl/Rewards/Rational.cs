using System.Globalization;
using System.Numerics;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// An exact rational number with bounded size. Answers made only of numbers and + - * / and integer powers are
/// compared exactly with it, so that 12345678901234567891 differs from 12345678901234567890 and 1000000 from
/// 1000001 (a relative tolerance on doubles would call both pairs equal). Every operation returns
/// <see langword="null"/> when the result would exceed <see cref="RewardLimits.MaxRationalBits"/>; callers then
/// fall back to floating point.
/// </summary>
internal readonly record struct Rational
{
    private Rational(BigInteger numerator, BigInteger denominator)
    {
        Numerator = numerator;
        Denominator = denominator;
    }

    /// <summary>The numerator; carries the sign.</summary>
    public BigInteger Numerator { get; }

    /// <summary>The denominator; always positive and coprime with the numerator.</summary>
    public BigInteger Denominator { get; }

    /// <summary>Whether the value is an integer.</summary>
    public bool IsInteger => Denominator.IsOne;

    /// <summary>Zero.</summary>
    public static Rational Zero => new(BigInteger.Zero, BigInteger.One);

    /// <summary>Builds a reduced rational, or null when the denominator is zero or a part is too large.</summary>
    public static Rational? Create(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
            return null;
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }
        if (BigInteger.Abs(numerator).GetBitLength() > RewardLimits.MaxRationalBits || denominator.GetBitLength() > RewardLimits.MaxRationalBits)
            return null;
        return new Rational(numerator, denominator);
    }

    /// <summary>An integer as a rational.</summary>
    public static Rational FromInteger(BigInteger value) => new(value, BigInteger.One);

    /// <summary>
    /// Parses a decimal literal (<c>12</c>, <c>0.750</c>, <c>.5</c>, <c>1.5e-3</c>) exactly; null when it is not one
    /// or is too large. The caller has already bounded the number of digits.
    /// </summary>
    public static Rational? ParseDecimal(string literal)
    {
        var mantissa = literal;
        var exponent = 0;
        var e = literal.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            mantissa = literal[..e];
            // Exponents beyond a few hundred are hostile; MaxRationalBits would reject the result anyway.
            if (!int.TryParse(literal[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                || Math.Abs(exponent) > 1_000)
                return null;
        }
        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa : string.Concat(mantissa.AsSpan(0, dot), mantissa.AsSpan(dot + 1));
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            return null;
        var scale = dot < 0 ? 0 : mantissa.Length - dot - 1;
        var numerator = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        var power = exponent - scale;
        return power >= 0
            ? Create(numerator * BigInteger.Pow(10, power), BigInteger.One)
            : Create(numerator, BigInteger.Pow(10, -power));
    }

    /// <summary>The sum, or null on overflow.</summary>
    public static Rational? Add(Rational a, Rational b) =>
        Create(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>The difference, or null on overflow.</summary>
    public static Rational? Subtract(Rational a, Rational b) =>
        Create(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>The product, or null on overflow.</summary>
    public static Rational? Multiply(Rational a, Rational b) =>
        Create(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>The quotient, or null on division by zero or overflow.</summary>
    public static Rational? Divide(Rational a, Rational b) =>
        Create(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    /// <summary>The negation.</summary>
    public Rational Negate() => new(-Numerator, Denominator);

    /// <summary>
    /// This value raised to an integer power, or null when the exponent is not an integer, the base is zero with
    /// a negative exponent, or the result would be too large. The size is checked BEFORE computing, so a tower
    /// such as <c>2^{2^{99}}</c> costs nothing.
    /// </summary>
    public Rational? Power(Rational exponent)
    {
        if (!exponent.IsInteger)
            return null;
        if (Numerator.IsZero)
            return exponent.Numerator.Sign > 0 ? Zero : exponent.Numerator.IsZero ? FromInteger(BigInteger.One) : null;
        var magnitude = BigInteger.Abs(exponent.Numerator);
        var baseBits = Math.Max(BigInteger.Abs(Numerator).GetBitLength(), Denominator.GetBitLength());
        // |1| and |-1| to any power stay small; everything else grows by baseBits per step.
        if (baseBits > 1 && magnitude * (baseBits - 1) > RewardLimits.MaxRationalBits)
            return null;
        if (magnitude > RewardLimits.MaxRationalBits)
            magnitude = magnitude.IsEven ? 2 : 1; // only reachable for bases of magnitude one
        var n = (int)magnitude;
        var numerator = BigInteger.Pow(Numerator, n);
        var denominator = BigInteger.Pow(Denominator, n);
        return exponent.Numerator.Sign >= 0 ? Create(numerator, denominator) : Create(denominator, numerator);
    }

    /// <summary>The nearest double, computed through logarithms when the parts do not fit a double.</summary>
    public double ToDouble()
    {
        var n = (double)Numerator;
        var d = (double)Denominator;
        if (double.IsFinite(n) && double.IsFinite(d))
            return n / d;
        if (Numerator.IsZero)
            return 0.0;
        var log = BigInteger.Log(BigInteger.Abs(Numerator)) - BigInteger.Log(Denominator);
        return Numerator.Sign * Math.Exp(log);
    }

    /// <summary>Writes the value as <c>n</c> or <c>n/d</c>.</summary>
    public override string ToString() =>
        IsInteger
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";
}
