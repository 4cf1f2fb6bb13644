using System.Globalization;
using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// The mistakes planted in the corpus: an off-by-one, or one digit nudged up or down by one. Both change a single
/// digit most of the time, so the base model's uncertainty sits on a few tokens of the final step, exactly where a
/// reward on the final answer can sharpen it.
/// </summary>
public static class AnswerSlip
{
    /// <summary>A value close to, and always different from, <paramref name="value"/>.</summary>
    public static long Apply(long value, SeededRandom random)
    {
        if (random.Next(2) == 0) return random.Next(2) == 0 ? value + 1 : value - 1;

        // Digit slip: one digit of |value| moves by one; a leading digit never becomes 0 (that would drop a digit).
        string digits = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
        int at = random.Next(digits.Length);
        int digit = digits[at] - '0';
        int delta = random.Next(2) == 0 ? 1 : -1;
        if (digit + delta > 9 || digit + delta < 0 || (at == 0 && digits.Length > 1 && digit + delta == 0)) delta = -delta;
        long place = (long)Math.Pow(10, digits.Length - 1 - at);
        long magnitude = Math.Abs(value) + delta * place;
        return value < 0 ? -magnitude : magnitude;
    }
}
