using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

/// <summary>Pairs (predicted, gold) that the math verifier must reject, grouped by category.</summary>
public class MathAnswerNotEquivalentTests
{
    public static TheoryData<string, string> Numbers => new()
    {
        { "17", "18" }, { "-18", "18" }, { "180", "18" }, { "1.8", "18" }, { "1,234", "1243" }, { "1000001", "1000000" },
        { "12345678901234567891", "12345678901234567890" }, { "3.14", "\\pi" },
        { "1.4142", "\\sqrt{2}" }, { "0", "1" }, { "2^{10}", "1000" }, { "1e3", "100" }, { "1.5\\times10^{3}", "150" },
        { "6.02\\times10^{23}", "6.02e22" }, { "0.1", "0.01" }, { "10", "10.5" }, { "1 234", "1243" }, { "12 34", "1234" },
    };

    public static TheoryData<string, string> Fractions => new()
    {
        { "\\frac{1}{2}", "\\frac{1}{3}" }, { "1/2", "2" }, { "\\frac{2}{1}", "1/2" }, { "3/4", "4/3" }, { "2\\frac{1}{2}", "2" },
        { "2 1/2", "3" }, { "-\\frac{1}{2}", "1/2" }, { "\\frac12", "12" }, { "\\frac{1}{2}", "1.2" }, { "5/2", "2.4" },
    };

    public static TheoryData<string, string> RootsAndPi => new()
    {
        { "\\sqrt{2}", "2" }, { "\\sqrt{3}", "\\sqrt{2}" }, { "2\\sqrt{2}", "\\sqrt{2}" }, { "\\pi", "2\\pi" }, { "\\pi/2", "\\pi/3" },
        { "\\sqrt{8}", "8" }, { "\\sqrt[3]{8}", "\\sqrt{8}" }, { "e", "\\pi" }, { "\\log_2 8", "2" }, { "\\sqrt{2}/2", "\\sqrt{2}" },
    };

    public static TheoryData<string, string> Percent => new()
    {
        { "50%", "5" }, { "50%", "0.05" }, { "5%", "0.5" }, { "0.5%", "50" }, { "50", "0.5" }, { "25%", "50%" },
        { "50 percent", "0.05" }, { "0.5", "5%" },
    };

    public static TheoryData<string, string> UnitsAndCurrency => new()
    {
        { "$17", "18" }, { "17 dollars", "18" }, { "5 cm", "6" }, { "90^\\circ", "45" }, { "60 km/h", "6" }, { "3 hours", "4" },
        { "2x", "2" }, { "3 x", "3" }, { "\\text{Monday}", "\\text{Tuesday}" }, { "5 \\text{cm}", "50" },
    };

    public static TheoryData<string, string> TuplesSetsIntervals => new()
    {
        { "(1,2)", "(2,1)" }, { "(1,2)", "(1,2,3)" }, { "(1,2)", "\\{1,2\\}" }, { "\\{1,2\\}", "\\{1,3\\}" }, { "\\{1,2\\}", "\\{1,2,3\\}" },
        { "[1,3)", "(1,3)" }, { "[1,3)", "[1,3]" }, { "(1,3]", "[1,3)" }, { "[1,3]", "[1,4]" }, { "(-\\infty, 3]", "(-\\infty, 3)" },
        { "(0, \\infty)", "(0, 5)" }, { "1, 2", "(1,2)" }, { "1, 2", "1, 2, 3" }, { "(1,2)", "1" }, { "1", "(1, 1)" },
        { "\\{1,1\\}", "\\{1,2\\}" }, { "((1,2),(3,4))", "((1,2),(4,3))" }, { "(\\infty, 1)", "(-\\infty, 1)" },
    };

    public static TheoryData<string, string> EquationsAndSymbolic => new()
    {
        { "x = 3", "4" }, { "y = 2x", "2x+1" }, { "x^2+y^2=1", "x^2+y^2=2" }, { "2x+2", "2(x+2)" }, { "x^2", "2x" },
        { "(x+1)^2", "x^2+1" }, { "x", "y" }, { "\\frac{x}{2}", "2x" }, { "\\sin x", "\\cos x" }, { "\\ln x", "\\log x" },
        { "a-b", "b-a" }, { "x^3", "x^2" }, { "\\sqrt{x}", "x" }, { "xy", "x+y" }, { "n!", "n" },
    };

    // Values too small for a double round to 0; that must not make them equal to 0 (or to each other by accident).
    public static TheoryData<string, string> Underflow => new()
    {
        { "10^{-10^{10}}", "0" }, { "0", "10^{-10^{10}}" }, { "2^{-5000}", "0" }, { "10^{-400}\times10^{-400}", "0" },
        { "\frac{1}{10^{-10^{10}}}", "0" }, { "0.5^{100000}", "0" },
    };

    // The nearest wrong answer for each kind of wrapping that is taken off: unwrapping must never make a wrong one right.
    public static TheoryData<string, string> AroundTheAnswer => new()
    {
        { "The answer is 43.", "42" }, { "Answer: 4.2", "42" }, { "|AB| = 2", "1" }, { "(p,q) = (2,3)", "(3,2)" }, { "x = 5+6 = 12", "11" },
        { "x + 1 = 5", "5" }, { "2x = 10", "10" }, { "f(2) = 3", "3" }, { "1 and 2", "1,2,3" }, { "1, 2 and 4", "1,2,3" },
        { "x = 5", "x = 6" }, { "The answer is 42", "The answer is 41" },
    };

    // The nearest wrong relation for each kind: an open end for a closed one, the other direction, another bound.
    public static TheoryData<string, string> Relations => new()
    {
        { "x > 5", "x \\geq 5" }, { "x \\leq 5", "x \\geq 5" }, { "-2 < x \\le 7", "[-2,7]" }, { "x \\in [-2,8]", "[-2,7]" },
        { "x \\geq 5", "5" }, { "x \\neq 4", "x \\neq 3" }, { "x + y < 3", "x + y < 2" }, { "x + y \\le 2", "x + y < 2" },
        { "y = -x/2 + 1", "2x + 4y - 3 = 0" }, { "y = 2x", "y = 2x + 1" }, { "x^2 - 1 = 0", "x - 1 = 0" }, { "x \\geq 5", "y \\geq 6" },
    };

    // Equal on positives only: sample points over negatives and zero tell them apart.
    public static TheoryData<string, string> Domains => new()
    {
        { "\\sqrt{x^2}", "x" }, { "|x|", "x" }, { "x^2", "|x|^3" }, { "\\sqrt{x}", "x" }, { "x^4", "x^2" }, { "\\frac{|x|}{x}", "1" },
    };

    // The same number in another unit is another answer.
    public static TheoryData<string, string> Units => new()
    {
        { "5 m", "5 km" }, { "5 \\text{m}", "5\\text{ km}" }, { "12 cm", "12\\text{ cm}^2" }, { "3 minutes", "3 hours" }, { "60 mph", "60 km/h" },
        { "5 kg", "5 g" },
    };

    public static TheoryData<string, string> Garbage => new()
    {
        { "banana", "18" }, { "18 + ", "18" }, { "(", "1" }, { "\\frac{1}{2", "1/2" }, { "1/0", "1" }, { "\\foo{3}", "3" },
        { "3 = 4 = 5", "3" }, { "#", "1" }, { "\\sqrt{-1}", "1" }, { "0/0", "0" },
    };

    // The nearest misses for \pm: one of the two values alone, another root, a sign moved, a value twice, a tuple.
    public static TheoryData<string, string> PlusMinus => new()
    {
        { "1+\\sqrt{2}", "1 \\pm \\sqrt{2}" }, { "1-\\sqrt{2}", "1 \\pm \\sqrt{2}" }, { "1 \\pm \\sqrt{3}", "1 \\pm \\sqrt{2}" },
        { "-1 \\pm \\sqrt{2}", "1 \\pm \\sqrt{2}" }, { "\\sqrt{2} \\pm 1", "1 \\pm \\sqrt{2}" }, { "1+\\sqrt{2}, 1+\\sqrt{2}", "1 \\pm \\sqrt{2}" },
        { "1+\\sqrt{2}, 1-\\sqrt{2}, 1", "1 \\pm \\sqrt{2}" }, { "(1+\\sqrt{2}, 1-\\sqrt{2})", "1 \\pm \\sqrt{2}" }, { "3", "\\pm 3" },
        { "\\pm 3", "3" }, { "1 \\pm \\sqrt{2}", "1+\\sqrt{2}" }, { "\\pm 1, \\pm 2", "1, 2" }, { "2 \\mp 1", "1, 2" },
        { "\\frac{-1 \\pm \\sqrt{5}}{2}", "\\frac{1+\\sqrt{5}}{2}, \\frac{1-\\sqrt{5}}{2}" }, { "1 \\pm 2 \\sqrt{2}", "1 \\pm \\sqrt{2}" }, { "(3, 0), (1, 0)", "(1 \\pm 2, 0)" }, { "(3, 0), (-1, 0)", "(1 \\pm 2, 0), (5, 5)" },
    };

    // Ratios: the terms swapped, scaled (see the Ratios policy), as a fraction, a term more, a list, one term.
    public static TheoryData<string, string> Ratios => new()
    {
        { "21:11", "11:21" }, { "V_1 : V_2 = 21:11", "11:21" }, { "22:42", "11:21" }, { "11:21", "22:42" }, { "\\frac{11}{21}", "11:21" },
        { "11/21", "11:21" }, { "11:21", "\\frac{11}{21}" }, { "11:21:1", "11:21" }, { "11, 21", "11:21" }, { "11", "11:21" },
        { "11:20", "11:21" }, { "5:15", "10:30" }, { "4:2", "2:1" }, { "2", "2:1" }, { "1:2:3", "1:3:2" }, { ":21", "11:21" },
    };

    // Matrices: an entry changed or moved, another shape, a row for a column, a determinant, a tuple in another order.
    public static TheoryData<string, string> Matrices => new()
    {
        { "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\begin{pmatrix} 1 & 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\begin{pmatrix} 1 \\\\ 2 \\\\ 0 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\begin{pmatrix} 0.5 & 0 \\\\ 0 & -1 \\end{pmatrix}", "\\begin{pmatrix} 1/2 & 0 \\\\ 0 & 1 \\end{pmatrix}" },
        { "\\begin{pmatrix} 0.5 & 0 \\\\ 1 & 0 \\end{pmatrix}", "\\begin{pmatrix} 1/2 & 0 \\\\ 0 & 1 \\end{pmatrix}" },
        { "\\begin{pmatrix} 0.05 & 0 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{pmatrix} 1/2 & 0 \\\\ 0 & 1 \\end{pmatrix}" },
        { "\\begin{pmatrix} 1 & 0 & 0 & 1 \\end{pmatrix}", "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}" },
        { "\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}" },
        { "\\begin{pmatrix} 1 & 2 \\\\ 3 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}" },
        { "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}" },
        { "(2, 1)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" }, { "[1, 2]", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\{1, 2\\}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" }, { "1, 2", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\begin{pmatrix} 1 & 2 \\end{pmatrix}", "(1, 2)" }, { "(1, 2, 3)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "3", "\\begin{pmatrix} 3 \\end{pmatrix}" }, { "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(1,2)" }, { "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(1, 2) \\cup (3, 4)" },
    };

    // Unions: an end closed or opened, an end moved, a part missing or added, the complement, a list of the parts.
    public static TheoryData<string, string> Unions => new()
    {
        { "(-\\infty,-2]\\cup(3,\\infty)", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-\\infty,-2)\\cup[3,\\infty)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "(-\\infty,-2)", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-\\infty,-2)\\cup(3,\\infty)\\cup(5,6)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "(-\\infty,2)\\cup(3,\\infty)", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-\\infty,-3)\\cup(3,\\infty)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "x<-2 \\text{ or } x \\ge 3", "(-\\infty,-2)\\cup(3,\\infty)" }, { "x>-2 \\text{ or } x<3", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "x<-2 \\text{ and } x>3", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-2,3)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "-2 \\le x \\le 3", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-\\infty,-2),(3,\\infty)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "[1,3]", "[1,2]\\cup[2,3]" }, { "(-\\infty,-2)\\cup(3,\\infty)", "(-\\infty,-2)\\cup(3,\\infty]" }, { "2 or 3", "2, 3" },
        { "(-\\infty,-2)\\cup 3", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-\\infty,-2)\\cup(-\\infty,-2)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "x<-2 \\text{ or } y>3", "(-\\infty,-2)\\cup(3,\\infty)" }, { "y<-2 \\text{ or } y>3", "x<-2 \\text{ or } x>3" }, { "(1,2)\\cup\\{6\\}", "(1,2)\\cup\\{5\\}" }, { "(1,2)\\cup 5", "(1,2)\\cup\\{5\\}" },
    };

    // Linear inequalities: the other direction, the flip forgotten, strict for non-strict, not solved for, not linear.
    public static TheoryData<string, string> LinearInequalities => new()
    {
        { "x > 1", "x < 1" }, { "-x > 1", "x > -1" }, { "-x > -1", "x > 1" }, { "2x \\le 6", "x < 3" }, { "2x \\le 6", "x \\le 6" },
        { "-2x \\ge 4", "x \\ge -2" }, { "x^2 < 4", "-2 < x < 2" }, { "x^2 < 1", "x < 1" }, { "\\frac{1}{x} < 1", "x > 1" },
        { "-1 < 2x + 1 \\le 5", "-1 < x < 2" }, { "2x + y < 6", "x < 3" }, { "0x < 1", "x < 1" }, { "3x > 1", "x > 0.333" },
        { "x(x-1)(x+1)(x-2)(x-10) + x < 1", "x < 1" }, { "-6 \\le -3x < 3", "-1 \\le x < 2" }, { "2x \\le 6", "3" },
        { "-y > -1", "x < 1" }, { "y \\geq 5", "x \\geq 5" }, { "2y \\le 6", "x \\le 3" },
    };

    // Percent: the decimal point moved once too often or not at all, a percent of a percent, another number.
    public static TheoryData<string, string> PercentPolicy => new()
    {
        { "0.05", "50\\%" }, { "5%", "50\\%" }, { "500", "50\\%" }, { "0.5%", "50\\%" }, { "5", "50\\%" }, { "\\frac{1}{2}\\%", "50" },
        { "50\\%", "5" }, { "0.005", "50\\%" }, { "5000", "50\\%" }, { "50\\%", "0.55" }, { "49.9\\%", "0.5" }, { "50", "0.5" },
    };

    // Decimal commas: a bare comma is a list, {,} before three digits is thousands; rounded decimals of a rational gold.
    public static TheoryData<string, string> DecimalCommasAndRounding => new()
    {
        { "3,5", "3.5" }, { "3, 5", "3.5" }, { "3{,}5", "35" }, { "3{,}5", "3, 5" }, { "3{,}500", "3.5" }, { "0,125", "125" },
        { "0{,}125", "125" }, { "3{,}5", "3.05" }, { "0 125", "125" }, { "1{,}234{,}5", "1234.5" },
        { "0.33", "\\frac{1}{3}" }, { "0.334", "\\frac{1}{3}" }, { "0.67", "\\frac{2}{3}" },
        { "3.1416", "\\pi" }, { "1.414", "\\sqrt{2}" }, { "3.14", "\\frac{22}{7}" },
    };

    // A unit in \textnormal, \textrm, \textup or \mathrm may be dropped, not changed; the number still counts.
    public static TheoryData<string, string> TextUnits => new()
    {
        { "10\\textnormal{ m}", "10\\text{ cm}" }, { "10\\textnormal{ cm}", "11" }, { "10\\textrm{ km}", "10 m" },
        { "10\\textnormal{ cm}^2", "10 cm" }, { "10\\mathrm{cm}", "10\\textnormal{ mm}" }, { "10\\textup{ kg}", "10\\textnormal{ g}" },
        { "\\textnormal{Monday}", "\\textnormal{Tuesday}" }, { "1\\textnormal{ cm}", "10" },
    };

    // \approx gives a number, which must still be the gold's: another number, a rounded irrational, a relation between values.
    public static TheoryData<string, string> Approximately => new()
    {
        { "x \\approx 3.15", "3.14" }, { "\\approx 3.14", "\\pi" }, { "\\approx 3.15", "x \\approx 3.14" }, { "\\approx 3", "3.14" },
        { "2 \\approx 3.14", "3.14" }, { "\\pi \\approx 3.14", "3.14" }, { "\\approx 1.414", "\\sqrt{2}" }, { "x ≈ 0.33", "\\frac{1}{3}" },
        { "\\approx", "3" },
    };

    // Rounded decimals for a fraction gold (docs/verifier.md): too few digits or places, off by one in the last place,
    // truncated instead of rounded, a terminating or irrational gold, an exponent, a percent.
    public static TheoryData<string, string> RoundedDecimals => new()
    {
        { "0.33", "\\frac{1}{3}" }, { "3.14", "\\frac{22}{7}" }, { "0.334", "\\frac{1}{3}" }, { "0.666", "\\frac{2}{3}" }, { "0.0834", "\\frac{1}{12}" },
        { "0.083", "\\frac{1}{12}" }, { "0.13", "\\frac{1}{8}" }, { "0.1", "\\frac{1}{8}" }, { "0.1250", "\\frac{1}{7}" }, { "3.14", "\\pi" },
        { "3.1416", "\\pi" }, { "1.414", "\\sqrt{2}" }, { "0.3330", "\\frac{1}{3}" }, { "0.3334", "1/3" }, { "3.33e-1", "\\frac{1}{3}" },
        { "0.333", "\\frac{2}{3}" }, { "33.3%", "\\frac{1}{3}" }, { "3.143", "\\frac{22}{7}\\pi" }, { "0.143", "\\frac{1}{8}" },
        { "-0.333", "\\frac{1}{3}" }, { "0.333x", "\\frac{x}{3}" }, { "(0.333, 0.666)", "(\\frac{1}{3}, \\frac{2}{3})" }, { "0.667", "0.6667" },
    };

    // A decimal gold is exact as written (0.333 may be 333/1000), so a fraction does not answer it: the rounding rule
    // works in one direction only, and these rows are not swapped.
    public static TheoryData<string, string> RoundedDecimalGolds => new()
    {
        { "\\frac{1}{3}", "0.333" }, { "\\frac{1}{12}", "0.0833" }, { "\\frac{22}{7}", "3.143" }, { "\\frac{2}{3}", "0.667" },
    };

    // Function powers: an identity off by a constant, the power on the argument (\sin x^2 is sin(x^2)), another power,
    // and \sin^{-1} (arcsin, refused) against 1/\sin; powers that are not positive whole numbers are refused.
    public static TheoryData<string, string> FunctionPowers => new()
    {
        { "\\tan^2 y + 2", "\\sec^2 y" }, { "\\sin x^2", "\\sin^2 x" }, { "\\sin^2 x", "\\sin x^2" }, { "\\sin^3 x", "\\sin^2 x" },
        { "\\sin^{-1} x", "\\frac{1}{\\sin x}" }, { "\\sin^{-1} x", "(\\sin x)^{-1}" }, { "\\sin^2 x", "2\\sin x" },
        { "\\sin^2 x + \\cos^2 x", "2" }, { "\\log^2 x", "\\log x^2" }, { "\\sin^{1/2} x", "\\sqrt{\\sin x}" }, { "\\sin^{0} x", "1" },
        { "\\sin^2 x", "\\sin(2x)" }, { "\\cos^2 x", "\\sin^2 x" }, { "\\sin^{-2} x", "\\frac{1}{\\sin^2 x}" }, { "\\sin^x y", "(\\sin y)^x" },
    };

    // Function arguments: the old reading (\sin 2x as x sin 2), the argument stretched past an operator or a command,
    // a factor moved out of the argument.
    public static TheoryData<string, string> FunctionArguments => new()
    {
        { "\\sin 2x", "2\\sin x" }, { "\\sin 2x", "x\\sin 2" }, { "\\sin x \\cos x", "\\sin(x\\cos x)" }, { "\\sin x + 1", "\\sin(x+1)" },
        { "\\sin 2x", "\\sin x^2" }, { "\\cos 2x", "2\\cos x" }, { "\\sqrt 2 x", "\\sqrt{2x}" }, { "\\ln 2x", "2\\ln x" },
        { "\\sin x/2", "\\sin(x/2)" }, { "\\sin 2x", "\\sin x \\cdot 2" }, { "\\cos x y", "y\\cos x" }, { "\\sin 2(x+1)", "\\sin(2x+2)" },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    [MemberData(nameof(Fractions))]
    [MemberData(nameof(RootsAndPi))]
    [MemberData(nameof(Percent))]
    [MemberData(nameof(UnitsAndCurrency))]
    [MemberData(nameof(TuplesSetsIntervals))]
    [MemberData(nameof(EquationsAndSymbolic))]
    [MemberData(nameof(Garbage))]
    [MemberData(nameof(Underflow))]
    [MemberData(nameof(AroundTheAnswer))]
    [MemberData(nameof(Relations))]
    [MemberData(nameof(Domains))]
    [MemberData(nameof(Units))]
    [MemberData(nameof(PlusMinus))]
    [MemberData(nameof(Ratios))]
    [MemberData(nameof(Matrices))]
    [MemberData(nameof(Unions))]
    [MemberData(nameof(LinearInequalities))]
    [MemberData(nameof(PercentPolicy))]
    [MemberData(nameof(DecimalCommasAndRounding))]
    [MemberData(nameof(TextUnits))]
    [MemberData(nameof(Approximately))]
    [MemberData(nameof(RoundedDecimals))]
    [MemberData(nameof(RoundedDecimalGolds))]
    [MemberData(nameof(FunctionPowers))]
    [MemberData(nameof(FunctionArguments))]
    public void Different_pairs_score_zero_with_a_reason(string predicted, string gold)
    {
        var result = MathAnswer.AreEquivalent(predicted, gold);

        Assert.True(result.Value == 0.0, $"'{predicted}' vs '{gold}' accepted: {result.Reason}");
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    // The nearest misses of the newer kinds stay misses with the sides swapped (the matrix rows are not all symmetric:
    // a tuple answers a column vector gold, not the other way round).
    [Theory]
    [MemberData(nameof(PlusMinus))]
    [MemberData(nameof(Ratios))]
    [MemberData(nameof(Unions))]
    [MemberData(nameof(LinearInequalities))]
    [MemberData(nameof(DecimalCommasAndRounding))]
    [MemberData(nameof(PercentPolicy))]
    [MemberData(nameof(TextUnits))]
    [MemberData(nameof(Approximately))]
    [MemberData(nameof(RoundedDecimals))]
    [MemberData(nameof(FunctionPowers))]
    [MemberData(nameof(FunctionArguments))]
    public void Different_pairs_stay_different_with_the_sides_swapped(string predicted, string gold)
    {
        var result = MathAnswer.AreEquivalent(gold, predicted);

        Assert.True(result.Value == 0.0, $"'{gold}' vs '{predicted}' accepted: {result.Reason}");
    }

    [Theory]
    [InlineData("\\sin^{-1} x", "inverse function (arcsin)")]
    [InlineData("\\tan^{-1}(x)", "inverse function (arctan)")]
    [InlineData("\\cos^{-2} x", "negative power")]
    public void An_inverse_function_power_is_refused_not_read_as_a_reciprocal(string predicted, string reason)
    {
        var result = MathAnswer.AreEquivalent(predicted, "x");

        Assert.Equal(0.0, result.Value);
        Assert.Contains(reason, result.Reason);
    }

    [Theory]
    [InlineData(null, "1")]
    [InlineData("", "1")]
    [InlineData("   ", "1")]
    [InlineData("1", "")]
    [InlineData("1", null)]
    public void Missing_inputs_score_zero(string? predicted, string? gold)
    {
        var result = MathAnswer.AreEquivalent(predicted, gold);

        Assert.Equal(0.0, result.Value);
        Assert.Contains("empty", result.Reason);
    }
}
