using DeepSeekR1.Actors.Rl.Numerics;
using System.Globalization;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// Generated arithmetic questions in short English ("What is 37 + 48?") with an exact integer gold.
/// Level 1: one-digit + and - with a non-negative result. Level 2: two-digit + and -.
/// Level 3: three operands up to two digits with *, no parentheses. Level 4: three 2-3 digit operands
/// with parentheses. Level 5: four 3-4 digit operands with *, parentheses, several steps.
/// </summary>
public sealed class ArithmeticTask : GeneratedTask
{
    private static readonly char[] AddSubtract = ['+', '-'];
    private static readonly char[] AddSubtractMultiply = ['+', '-', '*'];

    /// <summary>The English wordings of a question about an expression (<c>{0}</c>); the sums task asks the same way.</summary>
    internal static readonly string[] Templates =
    [
        "What is {0}?",
        "Calculate {0}.",
        "Compute {0}.",
        "Evaluate {0}.",
        "What is the value of {0}?",
    ];

    // The same questions in Chinese, for the bilingual variant (the language-consistency reward needs two languages).
    private static readonly string[] ChineseTemplates =
    [
        "计算 {0}。",
        "{0} 等于多少？",
        "求 {0} 的值。",
        "请算出 {0}。",
    ];

    private readonly bool bilingual;

    // Index = level - 1.
    private static readonly LevelShape[] Shapes =
    [
        new(Operands: 2, MinOperand: 0, MaxOperand: 9, AddSubtract, Parentheses: false, AllowNegative: false),
        new(Operands: 2, MinOperand: 10, MaxOperand: 99, AddSubtract, Parentheses: false, AllowNegative: true),
        new(Operands: 3, MinOperand: 2, MaxOperand: 99, AddSubtractMultiply, Parentheses: false, AllowNegative: true),
        new(Operands: 3, MinOperand: 10, MaxOperand: 999, AddSubtractMultiply, Parentheses: true, AllowNegative: true),
        new(Operands: 4, MinOperand: 100, MaxOperand: 9999, AddSubtractMultiply, Parentheses: true, AllowNegative: true),
    ];

    /// <summary>An arithmetic task over the levels <paramref name="lowestLevel"/>..<paramref name="highestLevel"/>.</summary>
    /// <param name="lowestLevel">Easiest level to produce (1..5).</param>
    /// <param name="highestLevel">Hardest level to produce (lowestLevel..5).</param>
    /// <param name="bilingual">
    /// Ask half the questions in Chinese (<see cref="TaskCatalog.ArithmeticBilingual"/>): the item's language is then
    /// <c>zh</c>, which the language-consistency reward holds the chain of thought to. Off, the questions and their
    /// draws are exactly those of the English-only task.
    /// </param>
    public ArithmeticTask(int lowestLevel = MinLevel, int highestLevel = MaxLevel, bool bilingual = false)
        : base(lowestLevel, highestLevel)
    {
        this.bilingual = bilingual;
    }

    /// <inheritdoc />
    public override string Name => bilingual ? TaskCatalog.ArithmeticBilingual : TaskCatalog.Arithmetic;

    /// <inheritdoc />
    protected override string IdPrefix => "arith";

    /// <inheritdoc />
    protected override GeneratedItem Generate(int level, ulong seed)
    {
        LevelShape shape = Shapes[level - 1];
        var random = new SeededRandom(seed);

        // Draw trees until one has the shape the level asks for; each draw continues the same
        // generator, so the result is still fixed by the seed.
        while (true)
        {
            Expr expression = RandomTree(random, shape, shape.Operands);
            string text = expression.ToString();
            bool hasParentheses = text.Contains('(', StringComparison.Ordinal);
            Rational value = expression.Evaluate()!.Value; // no division, so never null
            if (hasParentheses != shape.Parentheses || (!shape.AllowNegative && value.Numerator.Sign < 0))
            {
                continue;
            }

            string gold = value.ToString();
            // The language is drawn only in the bilingual variant, so the English-only task's draws are unchanged.
            bool chinese = bilingual && random.Next(0, 2) == 1;
            string question = string.Format(CultureInfo.InvariantCulture, random.Pick(chinese ? ChineseTemplates : Templates), text);
            string canonical = "arithmetic:" + text;
            // One expression asked in both languages is two questions (the split still goes by the expression).
            var item = new TaskItem(IdFor(level, chinese ? canonical + "@zh" : canonical), question, gold, AnswerKind.Math, level, chinese ? "zh" : "en");
            return new GeneratedItem(item, $"{text} = {gold}", canonical);
        }
    }

    private static Expr RandomTree(SeededRandom random, LevelShape shape, int operands)
    {
        if (operands == 1)
        {
            return new NumberExpr(random.NextInt64(shape.MinOperand, shape.MaxOperand + 1));
        }

        int leftOperands = random.Next(1, operands);
        return new BinaryExpr(
            random.Pick(shape.Operators),
            RandomTree(random, shape, leftOperands),
            RandomTree(random, shape, operands - leftOperands));
    }

    /// <summary>What questions of one level look like.</summary>
    /// <param name="Operands">How many numbers the expression has.</param>
    /// <param name="MinOperand">Smallest operand.</param>
    /// <param name="MaxOperand">Largest operand.</param>
    /// <param name="Operators">Operators to choose from.</param>
    /// <param name="Parentheses">Whether the printed expression must (true) or must not (false) contain parentheses.</param>
    /// <param name="AllowNegative">Whether the answer may be negative.</param>
    private sealed record LevelShape(int Operands, long MinOperand, long MaxOperand, char[] Operators, bool Parentheses, bool AllowNegative);
}
