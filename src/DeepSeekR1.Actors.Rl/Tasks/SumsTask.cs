using System.Globalization;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// Sums and differences of two numbers whose difficulty level is their number of digits: level 1 is one-digit facts
/// (non-negative results), level 5 is two five-digit numbers. Every level is the same algorithm, the column method,
/// run over more columns, so a tiny model that works in columns can in principle answer all of them, while one that
/// writes the whole result at once is right on level 1 and almost never on level 5: the ladder on which the paper's
/// "hard levels catch up" can show at toy scale (issue 21). The arithmetic task's upper levels need products of
/// three-digit numbers, which no model of this size learns.
/// </summary>
public sealed class SumsTask : GeneratedTask
{
    /// <summary>A sums task over the levels (digits) <paramref name="lowestLevel"/>..<paramref name="highestLevel"/>.</summary>
    /// <param name="lowestLevel">Fewest digits (1..5).</param>
    /// <param name="highestLevel">Most digits (lowestLevel..5).</param>
    public SumsTask(int lowestLevel = MinLevel, int highestLevel = MaxLevel)
        : base(lowestLevel, highestLevel)
    {
    }

    /// <inheritdoc />
    public override string Name => TaskCatalog.Sums;

    /// <inheritdoc />
    protected override string IdPrefix => "sums";

    /// <summary>The smallest and largest operand of a level: exactly <paramref name="level"/> digits (0-9 at level 1).</summary>
    public static (long Min, long Max) OperandRange(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        long max = (long)Math.Pow(10, level) - 1;
        return (level == 1 ? 0 : (max + 1) / 10, max);
    }

    /// <inheritdoc />
    protected override GeneratedItem Generate(int level, ulong seed)
    {
        var (min, max) = OperandRange(level);
        var random = new SeededRandom(seed);
        while (true)
        {
            long a = random.NextInt64(min, max + 1), b = random.NextInt64(min, max + 1);
            char op = random.Next(0, 2) == 0 ? '+' : '-';
            long value = op == '+' ? a + b : a - b;
            // Level 1 is the one-digit facts of the column method, which never go below zero.
            if (level == 1 && value < 0) continue;

            var expression = new BinaryExpr(op, new NumberExpr(a), new NumberExpr(b));
            string text = expression.ToString();
            string gold = value.ToString(CultureInfo.InvariantCulture);
            string question = string.Format(CultureInfo.InvariantCulture, random.Pick(ArithmeticTask.Templates), text);
            string canonical = TaskCatalog.Sums + ":" + text;
            var item = new TaskItem(IdFor(level, canonical), question, gold, AnswerKind.Math, level);
            return new GeneratedItem(item, $"{text} = {gold}", canonical);
        }
    }
}
