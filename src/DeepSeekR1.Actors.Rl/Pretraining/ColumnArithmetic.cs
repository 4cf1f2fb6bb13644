using System.Globalization;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// Careful working of one <see cref="WorkedSolution.Step"/>: a sum or difference of multi-digit numbers is done
/// column by column, units first, each column a one-digit fact, before the whole step is written:
/// <c>7 + 8 = 15, 3 + 4 + 1 = 8, 37 + 48 = 85</c>. Every column is a fact from a table of about two hundred, so a tiny
/// model that has learnt the table and where to read the digits can add numbers it has never seen, which it cannot do
/// by writing the whole step at once.
/// </summary>
/// <remarks>
/// Column notation. Addition: <c>a + b [+ 1] = s</c>, where <c>+ 1</c> is the carry from the column before and a
/// two-digit <c>s</c> carries into the next one; the last column writes its whole sum. Subtraction (larger minus
/// smaller): <c>a [- 1] - b = d</c>, where <c>- 1</c> is the borrow taken by the column before; a column that must
/// borrow writes its top digit with the borrowed ten in front (<c>13 - 8 = 5</c>). A difference whose first operand is
/// the smaller one is worked the other way round and negated in a last step (<c>..., 73 - 48 = 25, 48 - 73 = -25</c>).
/// Missing digits of the shorter operand are written as 0. Products, negative operands, and steps on one-digit
/// numbers (which are themselves a column) are left whole.
/// </remarks>
public static class ColumnArithmetic
{
    /// <summary>The careful lines for <paramref name="step"/>, ending with the step itself (or its negation).</summary>
    /// <param name="step">A correct step (its result is recomputed, not trusted).</param>
    /// <returns>The lines, in order; a step that is not worked in columns gives just itself.</returns>
    public static IReadOnlyList<string> Lines(WorkedSolution.Step step)
    {
        long a = step.Left, b = step.Right;
        bool columns = step.Op is '+' or '-' && a >= 0 && b >= 0 && Math.Max(a, b) >= 10;
        if (!columns) return [step.ToString()];

        var lines = new List<string>();
        if (step.Op == '+')
        {
            lines.AddRange(AdditionColumns(a, b));
            lines.Add((step with { Result = a + b }).ToString());
            return lines;
        }

        long larger = Math.Max(a, b), smaller = Math.Min(a, b);
        lines.AddRange(SubtractionColumns(larger, smaller));
        lines.Add(new WorkedSolution.Step(larger, '-', smaller, larger - smaller).ToString());
        if (a < b) lines.Add((step with { Result = a - b }).ToString());
        return lines;
    }

    // Digits of a non-negative number, units first.
    private static int[] DigitsFromUnits(long value) =>
        value.ToString(CultureInfo.InvariantCulture).Reverse().Select(c => c - '0').ToArray();

    private static IEnumerable<string> AdditionColumns(long a, long b)
    {
        int[] da = DigitsFromUnits(a), db = DigitsFromUnits(b);
        int columns = Math.Max(da.Length, db.Length), carry = 0;
        for (int i = 0; i < columns; i++)
        {
            int x = i < da.Length ? da[i] : 0, y = i < db.Length ? db[i] : 0;
            int sum = x + y + carry;
            yield return string.Create(CultureInfo.InvariantCulture, $"{x} + {y}{(carry == 1 ? " + 1" : "")} = {sum}");
            carry = sum >= 10 ? 1 : 0;
        }
    }

    // Columns of larger - smaller, with larger >= smaller >= 0.
    private static IEnumerable<string> SubtractionColumns(long larger, long smaller)
    {
        int[] da = DigitsFromUnits(larger), db = DigitsFromUnits(smaller);
        int borrow = 0;
        for (int i = 0; i < da.Length; i++)
        {
            int x = da[i], y = i < db.Length ? db[i] : 0;
            bool borrows = x - borrow < y;
            int top = borrows ? x + 10 : x;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{top}{(borrow == 1 ? " - 1" : "")} - {y} = {top - borrow - y}");
            borrow = borrows ? 1 : 0;
        }
    }
}
