using System.Globalization;
using System.Numerics;
using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Numerics;

/// <summary>
/// An exact fraction in lowest terms with a positive denominator, the one rational type of the project. Checking
/// "equals the target" with doubles would accept 0.1 * 3 = 0.30000000000000004 style near-misses and reject some exact
/// results, and a relative tolerance would call 1000000 and 1000001 equal; fractions of big integers have no rounding.
/// <para>Two sets of operations: the operators (<c>+ - * /</c>) are unbounded and throw on division by zero, for
/// expressions the project builds itself (countdown and arithmetic tasks); <see cref="Create"/>, <see cref="Add"/>,
/// <see cref="Subtract"/>, <see cref="Multiply"/>, <see cref="Divide"/>, <see cref="Power"/> and
/// <see cref="ParseDecimal"/> return <see langword="null"/> instead of throwing or growing past
/// <see cref="RewardLimits.MaxRationalBits"/>, for values read from model output (the math verifier), whose callers then
/// fall back to floating point.</para>
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

    // Already reduced, denominator positive: no gcd again.
    private Rational(BigInteger numerator, BigInteger denominator, bool reduced)
    {
        _ = reduced;
        Numerator = numerator;
        Denominator = denominator;
    }

    /// <summary>Top of the fraction, carrying the sign.</summary>
    public BigInteger Numerator { get; }

    /// <summary>Bottom of the fraction, always positive and coprime with the numerator.</summary>
    public BigInteger Denominator { get; }

    /// <summary>Whether the value is a whole number.</summary>
    public bool IsInteger => Denominator.IsOne;

    /// <summary>Whether the value is zero.</summary>
    public bool IsZero => Numerator.IsZero;

    /// <summary>Zero.</summary>
    public static Rational Zero => new(BigInteger.Zero, BigInteger.One, reduced: true);

    /// <summary>A whole number as a rational.</summary>
    /// <param name="value">The whole number.</param>
    public static implicit operator Rational(long value) => new(value, BigInteger.One, reduced: true);

    /// <summary>A whole number as a rational.</summary>
    /// <param name="value">The whole number.</param>
    /// <returns>The value over 1.</returns>
    public static Rational FromInteger(BigInteger value) => new(value, BigInteger.One, reduced: true);

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

    /// <summary>Builds a reduced rational, or null when the denominator is zero or a part is larger than <see cref="RewardLimits.MaxRationalBits"/>.</summary>
    /// <param name="numerator">Top of the fraction.</param>
    /// <param name="denominator">Bottom of the fraction.</param>
    /// <returns>The value, or null.</returns>
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
        return new Rational(numerator, denominator, reduced: true);
    }

    /// <summary>
    /// Parses a decimal literal (<c>12</c>, <c>0.750</c>, <c>.5</c>, <c>1.5e-3</c>) exactly; null when it is not one
    /// or is too large. The caller has already bounded the number of digits.
    /// </summary>
    /// <param name="literal">The literal, without sign.</param>
    /// <returns>The value, or null.</returns>
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

    /// <summary>The sum, or null when it is too large.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>a + b, or null.</returns>
    public static Rational? Add(Rational a, Rational b) =>
        Create(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>The difference, or null when it is too large.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>a - b, or null.</returns>
    public static Rational? Subtract(Rational a, Rational b) =>
        Create(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>The product, or null when it is too large.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>a * b, or null.</returns>
    public static Rational? Multiply(Rational a, Rational b) =>
        Create(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>The quotient, or null on division by zero or when it is too large.</summary>
    /// <param name="a">Dividend.</param>
    /// <param name="b">Divisor.</param>
    /// <returns>a / b, or null.</returns>
    public static Rational? Divide(Rational a, Rational b) =>
        Create(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    /// <summary>The negation.</summary>
    /// <returns>-this.</returns>
    public Rational Negate() => new(-Numerator, Denominator, reduced: true);

    /// <summary>
    /// This value raised to an integer power, or null when the exponent is not an integer, the base is zero with
    /// a negative exponent, or the result would be too large. The size is checked BEFORE computing, so a tower
    /// such as <c>2^{2^{99}}</c> costs nothing.
    /// </summary>
    /// <param name="exponent">The exponent.</param>
    /// <returns>The power, or null.</returns>
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
    /// <returns>The value as a double.</returns>
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

    /// <summary>The value as <c>n</c> or <c>n/d</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => IsInteger
        ? Numerator.ToString(CultureInfo.InvariantCulture)
        : $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";
}
