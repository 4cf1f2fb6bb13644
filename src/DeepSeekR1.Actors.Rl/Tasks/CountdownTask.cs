using System.Globalization;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// Generated Countdown puzzles: reach a target from a list of numbers with + - * /, each number used at
/// most once. Every puzzle is solvable by construction: the generator combines all the numbers into a
/// random expression whose every step is a positive whole number (divisions exact) and takes its value
/// as the target. Levels grow the count of numbers (2 at level 1 to 6 at level 5) and the target range.
/// </summary>
public sealed class CountdownTask : GeneratedTask
{
    private static readonly long[] LargeNumbers = [25, 50, 75, 100];

    // Index = level - 1. Small numbers are 1..10 (repeats allowed), large ones distinct from LargeNumbers.
    private static readonly LevelShape[] Shapes =
    [
        new(SmallCount: 2, LargeCount: 0, MinTarget: 2, MaxTarget: 100),
        new(SmallCount: 3, LargeCount: 0, MinTarget: 10, MaxTarget: 200),
        new(SmallCount: 3, LargeCount: 1, MinTarget: 20, MaxTarget: 300),
        new(SmallCount: 4, LargeCount: 1, MinTarget: 100, MaxTarget: 600),
        new(SmallCount: 4, LargeCount: 2, MinTarget: 100, MaxTarget: 999),
    ];

    /// <summary>A Countdown task over the levels <paramref name="lowestLevel"/>..<paramref name="highestLevel"/>.</summary>
    /// <param name="lowestLevel">Easiest level to produce (1..5).</param>
    /// <param name="highestLevel">Hardest level to produce (lowestLevel..5).</param>
    public CountdownTask(int lowestLevel = MinLevel, int highestLevel = MaxLevel)
        : base(lowestLevel, highestLevel)
    {
    }

    /// <inheritdoc />
    public override string Name => "countdown";

    /// <inheritdoc />
    protected override string IdPrefix => "countdown";

    /// <summary>The question text for a puzzle, in the wording the RL prompts use.</summary>
    /// <param name="numbers">The numbers that may be used.</param>
    /// <param name="target">The value to reach.</param>
    /// <returns>The question.</returns>
    public static string QuestionFor(IReadOnlyList<int> numbers, long target) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Using the numbers [{string.Join(", ", numbers)}], create an equation that equals {target}. You may use +, -, *, / and each number at most once.");

    /// <inheritdoc />
    protected override GeneratedItem Generate(int level, ulong seed)
    {
        LevelShape shape = Shapes[level - 1];
        var random = new SeededRandom(seed);
        while (true)
        {
            List<int> numbers = DrawNumbers(random, shape);
            (long target, Expr solution) = Combine(random, numbers, shape.MaxTarget);

            // A target outside the level's range, or one that is simply one of the numbers, is redrawn.
            if (target < shape.MinTarget || target > shape.MaxTarget || numbers.Contains((int)target))
            {
                continue;
            }

            random.Shuffle(numbers);
            string canonical = $"countdown:{string.Join(",", numbers.Order())}={target}";
            string gold = target.ToString(CultureInfo.InvariantCulture);
            var item = new TaskItem(
                IdFor(level, canonical), QuestionFor(numbers, target), gold, AnswerKind.CountdownExpression, level, "en", numbers);
            return new GeneratedItem(item, solution.ToString(), canonical);
        }
    }

    private static List<int> DrawNumbers(SeededRandom random, LevelShape shape)
    {
        var numbers = new List<int>();
        for (int i = 0; i < shape.SmallCount; i++)
        {
            numbers.Add(random.Next(1, 11));
        }

        long[] large = (long[])LargeNumbers.Clone();
        random.Shuffle(large);
        numbers.AddRange(large.Take(shape.LargeCount).Select(n => (int)n));
        return numbers;
    }

    /// <summary>
    /// Repeatedly replaces two random values by one of their allowed combinations until one value is
    /// left. Allowed: a + b; a - b when positive; a * b when neither is 1 (that would be a no-op) and the
    /// product stays below a cap; a / b when exact and b is not 1. Intermediate values stay positive
    /// whole numbers, as the Countdown rules require.
    /// </summary>
    private static (long Value, Expr Expression) Combine(SeededRandom random, IReadOnlyList<int> numbers, long maxTarget)
    {
        long cap = maxTarget * 10;
        var pool = numbers.Select(n => ((long)n, (Expr)new NumberExpr(n))).ToList();
        var choices = new List<char>(4);
        while (pool.Count > 1)
        {
            int i = random.Next(pool.Count);
            (long a, Expr left) = pool[i];
            pool.RemoveAt(i);
            int j = random.Next(pool.Count);
            (long b, Expr right) = pool[j];
            pool.RemoveAt(j);

            choices.Clear();
            choices.Add('+');
            if (a > b)
            {
                choices.Add('-');
            }

            if (a != 1 && b != 1 && a * b <= cap)
            {
                choices.Add('*');
            }

            if (b != 1 && a % b == 0)
            {
                choices.Add('/');
            }

            char op = random.Pick(choices);
            long value = op switch
            {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                _ => a / b,
            };
            pool.Add((value, new BinaryExpr(op, left, right)));
        }

        return pool[0];
    }

    /// <summary>What puzzles of one level look like.</summary>
    /// <param name="SmallCount">How many numbers are drawn from 1..10.</param>
    /// <param name="LargeCount">How many numbers are drawn from 25, 50, 75, 100.</param>
    /// <param name="MinTarget">Smallest target.</param>
    /// <param name="MaxTarget">Largest target.</param>
    private sealed record LevelShape(int SmallCount, int LargeCount, long MinTarget, long MaxTarget);
}
