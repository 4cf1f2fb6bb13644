using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

/// <summary>Pairs (predicted, gold) that the math verifier must accept, grouped by category.</summary>
public class MathAnswerEquivalentTests
{
    public static TheoryData<string, string> Integers => new()
    {
        { "18", "18" }, { "018", "18" }, { "+18", "18" }, { "18.0", "18" }, { "18.000", "18" }, { " 18 ", "18" },
        { "1,234,567", "1234567" }, { "1234567", "1,234,567" }, { "1 234", "1234" }, { "1 234 567", "1234567" },
        { "1\\,234", "1234" }, { "1{,}234", "1234" }, { "-1,234", "-1234" }, { "12345678901234567890", "12345678901234567890" },
        { "0", "0" }, { "-0", "0" }, { "2^{10}", "1024" }, { "10^3", "1000" }, { "3+4", "7" }, { "2*3", "6" },
        { "2 \\cdot 3", "6" }, { "2\\times 3", "6" }, { "18.", "18" }, { "1{,}000", "1000" },
    };

    public static TheoryData<string, string> Decimals => new()
    {
        { "0.5", "0.50" }, { ".5", "0.5" }, { "0.5", ".5" }, { "3.14", "3.140" }, { "-2.5", "-2.50" }, { "1234.5", "1,234.5" },
        { "100.00", "100" }, { "0.125", "1/8" }, { "2.75", "2\\frac{3}{4}" }, { "0.1+0.2", "0.3" },
    };

    public static TheoryData<string, string> Fractions => new()
    {
        { "\\frac{1}{2}", "0.5" }, { "\\dfrac{1}{2}", "1/2" }, { "\\tfrac{3}{4}", "0.75" }, { "\\frac12", "1/2" }, { "\\frac 1 2", "0.5" },
        { "3/4", "\\frac{3}{4}" }, { "6/8", "3/4" }, { "-\\frac{1}{3}", "\\frac{-1}{3}" }, { "\\frac{-1}{3}", "-1/3" },
        { "2 1/2", "5/2" }, { "2\\frac{1}{2}", "2.5" }, { "-2\\frac{1}{2}", "-5/2" }, { "\\frac{10}{4}", "2.5" },
        { "\\frac{\\frac{1}{2}}{2}", "1/4" }, { "\\frac{1}{2}+\\frac{1}{3}", "5/6" }, { "\\frac{2}{1}", "2" }, { "1/3", "\\frac{1}{3}" },
        { "\\frac{7}{2}", "3.5" }, { "\\frac1{2}", "0.5" }, { "\\frac{1}2", "0.5" },
    };

    public static TheoryData<string, string> RootsAndPi => new()
    {
        { "\\sqrt{2}", "\\sqrt2" }, { "\\sqrt2", "1.41421356" }, { "2\\sqrt{2}", "\\sqrt{8}" }, { "\\sqrt{12}", "2\\sqrt{3}" },
        { "\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}" }, { "\\sqrt{4}", "2" }, { "\\sqrt[3]{8}", "2" }, { "\\sqrt[3]{-8}", "-2" },
        { "\\pi", "3.14159265358979" }, { "2\\pi", "\\pi*2" }, { "\\frac{\\pi}{2}", "\\pi/2" }, { "\\frac{\\pi}2", "0.5\\pi" },
        { "4\\pi", "\\pi 4" }, { "π", "\\pi" }, { "2pi", "2\\pi" }, { "\\sqrt{2}\\sqrt{3}", "\\sqrt{6}" }, { "3\\sqrt{3}", "\\sqrt{27}" },
        { "\\frac{3\\sqrt{3}}{2}", "1.5\\sqrt{3}" }, { "√2", "\\sqrt{2}" }, { "e^2", "\\exp(2)" }, { "\\ln(e^3)", "3" }, { "\\log_2 8", "3" },
        { "\\log(100)", "2" }, { "\\sin(\\pi/6)", "1/2" }, { "\\cos 0", "1" },
    };

    public static TheoryData<string, string> Percent => new()
    {
        { "50%", "50" }, { "50%", "0.5" }, { "50\\%", "50" }, { "50 percent", "50" }, { "0.5", "50%" }, { "50", "50%" },
        { "50%", "50%" }, { "12.5%", "0.125" }, { "12.5\\%", "\\frac{1}{8}" }, { "100%", "1" }, { "25 %", "25" },
    };

    public static TheoryData<string, string> UnitsAndCurrency => new()
    {
        { "$18", "18" }, { "\\$18", "18" }, { "18 dollars", "18" }, { "$18.00", "18" }, { "\\$1,234", "1234" }, { "18", "$18" },
        { "5 cm", "5" }, { "5cm", "5" }, { "5 \\text{cm}", "5" }, { "5\\text{ cm}", "5" }, { "5 \\mbox{cm}", "5" }, { "5\\ \\text{cm}^2", "5" },
        { "90^\\circ", "90" }, { "90^{\\circ}", "90" }, { "90°", "90" }, { "90 degrees", "90" }, { "60 km/h", "60" }, { "12 sq ft", "12" },
        { "3 hours", "3" }, { "7 apples", "7" }, { "€20", "20" }, { "USD 20", "20" }, { "2.5 kg", "2.5" }, { "1,000 meters", "1000" },
        { "\\text{18}", "18" }, { "\\textbf{18}", "18" }, { "\\boxed{18}", "18" }, { "$\\boxed{18}$", "18" }, { "30\\text{ minutes}", "30" },
    };

    public static TheoryData<string, string> Negatives => new()
    {
        { "-3", "-3" }, { "−3", "-3" }, { "-(3)", "-3" }, { "(-3)", "-3" }, { "-\\frac{3}{4}", "-0.75" }, { "- 3", "-3" },
        { "-$5", "-5" }, { "-1,000", "-1000" }, { "--3", "3" }, { "-x", "-1*x" },
    };

    public static TheoryData<string, string> Scientific => new()
    {
        { "1e3", "1000" }, { "1E3", "1000" }, { "1.5e3", "1500" }, { "1.5\\times10^{3}", "1500" }, { "1.5 \\times 10^3", "1500" },
        { "1.5\\cdot10^{3}", "1,500" }, { "2.5e-3", "0.0025" }, { "10^{-2}", "0.01" }, { "6.02\\times10^{23}", "6.02e23" }, { "3\\times10^{8}", "300000000" },
    };

    public static TheoryData<string, string> TuplesSetsIntervals => new()
    {
        { "(1,2)", "(1, 2)" }, { "(1, 2)", "\\left(1,2\\right)" }, { "(\\frac{1}{2}, 3)", "(0.5,3)" }, { "(1,2,3)", "(1,2,3)" },
        { "\\{1,2\\}", "\\{2,1\\}" }, { "{1,2,3}", "{3,1,2}" }, { "\\left\\{1,2\\right\\}", "\\{1,2\\}" }, { "1, 2", "\\{2, 1\\}" },
        { "2, 1", "1,2" }, { "x=1, x=2", "1, 2" }, { "[1,3)", "[1, 3)" }, { "[1,3]", "\\left[1,3\\right]" }, { "(-\\infty, 3]", "(-\\infty,3]" },
        { "(0,\\infty)", "(0, \\infty)" }, { "[\\frac{1}{2}, 2)", "[0.5,2)" }, { "(1, -2)", "(1,-2)" }, { "(2, 3)", "(2,3)" },
        { "((1,2),(3,4))", "((1,2),(3,4))" }, { "\\{-1, 1\\}", "\\{1, -1\\}" }, { "(\\sqrt{2}, \\pi)", "(1.41421356, 3.14159265)" },
    };

    public static TheoryData<string, string> EquationsAndForms => new()
    {
        { "x = 3", "3" }, { "x=3", "3" }, { "3", "x = 3" }, { "y = 2x + 1", "2x+1" }, { "x_1 = 5", "5" }, { "f(x) = x^2", "x^2" },
        { "\\left( 1 \\right)", "1" }, { "\\left(3\\right)", "3" }, { "y = 2x+1", "y = 1 + 2x" }, { "2x + 1 = y", "y = 2x + 1" },
        { "x^2 + y^2 = 1", "y^2 + x^2 = 1" }, { "k = \\frac{1}{2}", "0.5" },
    };

    // What a model writes around its answer (issue 18): a sentence, a left side that names the answer, list words.
    public static TheoryData<string, string> AroundTheAnswer => new()
    {
        { "The answer is 42.", "42" }, { "the final answer is $42$", "42" }, { "Answer: 42", "42" }, { "So the answer is \\frac{1}{2}.", "1/2" },
        { "Therefore, the answer is 7", "7" }, { "0.5.", "\\frac12" },
        { "|AB| = 1", "1" }, { "(p,q) = (3,2)", "(3,2)" }, { "x = 5+6 = 11", "11" }, { "AB = 2\\sqrt{3}", "\\sqrt{12}" },
        { "x_1 = 4", "4" }, { "1, 2 and 3", "1,2,3" }, { "1; 2; 3", "1, 2, 3" }, { "2, 3, and 5", "2,3,5" },
        { "The answer is 11:21.", "11:21" },
    };

    // Relations: spellings, directions, bounds as intervals, interval membership; equations up to a non-zero factor.
    public static TheoryData<string, string> Relations => new()
    {
        { "x >= 5", "x \\geq 5" }, { "5 \\geq x", "x \\leq 5" }, { "x \\ge 5", "[5,\\infty)" }, { "x < 1", "(-\\infty, 1)" },
        { "-2 \\le x \\le 7", "[-2,7]" }, { "x \\in [-2,7]", "[-2,7]" }, { "7 \\geq x > -2", "(-2, 7]" }, { "-3 < a < 10", "(-3,10)" },
        { "x \\ne 3", "x \\neq 3" }, { "x \u2265 5", "x \\geqslant 5" },
        { "y = -x/2 + 3/4", "2x + 4y - 3 = 0" }, { "2x - y + 1 = 0", "y = 2x + 1" }, { "4x + 8y = 6", "2x + 4y - 3 = 0" },
    };

    // Equal wherever both sides are defined, negatives and zero included.
    public static TheoryData<string, string> Domains => new()
    {
        { "\\sqrt{x^2}", "|x|" }, { "(\\sqrt{x})^2", "x" }, { "\\frac{x^2}{x}", "x" }, { "x^3", "x*x*x" }, { "-x", "-1*x" },
    };

    // A unit may be left out, or spelled another way; see MathAnswerNotEquivalentTests.Units for changed units.
    public static TheoryData<string, string> UnitSpellings => new()
    {
        { "5 kilometers", "5\\text{ km}" }, { "5 cm", "5" }, { "5", "5 cm" }, { "12 cm^2", "12\\text{ cm}^2" }, { "60 kph", "60 km/h" },
        { "3 hrs", "3 hours" }, { "5 dollars", "\\$5" },
    };

    public static TheoryData<string, string> Symbolic => new()
    {
        { "2x+2", "2(x+1)" }, { "x^2-1", "(x-1)(x+1)" }, { "(x+1)^2", "x^2+2x+1" }, { "\\frac{x}{2}", "0.5x" }, { "2x", "x+x" },
        { "x y", "yx" }, { "\\frac{1}{x}+\\frac{1}{y}", "\\frac{x+y}{xy}" }, { "\\sqrt{x^2}", "|x|" }, { "a^2b", "b a a" },
        { "3(a-b)", "3a-3b" }, { "\\frac{x^2-1}{x-1}", "x+1" }, { "e^{\\ln x}", "x" }, { "\\sin x", "sin(x)" }, { "2\\pi r", "\\pi r 2" },
        { "\\frac{n(n+1)}{2}", "\\frac{n^2+n}{2}" }, { "x^{1/2}", "\\sqrt{x}" }, { "4!", "24" }, { "\\dfrac{a}{b}", "a/b" },
        { "(x-2)(x+3)", "x^2+x-6" }, { "\\cos{x}", "\\cos(x)" },
    };

    // a \pm b is the two values a + b and a - b, in any order, written as a list, a set or with \pm again.
    public static TheoryData<string, string> PlusMinus => new()
    {
        { "1+\\sqrt{2}, 1-\\sqrt{2}", "1 \\pm \\sqrt{2}" }, { "1-\\sqrt{2}, 1+\\sqrt{2}", "1 \\pm \\sqrt{2}" }, { "1 \\pm \\sqrt 2", "1 \\pm \\sqrt{2}" },
        { "1 ± √2", "1 \\pm \\sqrt{2}" }, { "\\{1+\\sqrt{2}, 1-\\sqrt{2}\\}", "1 \\pm \\sqrt{2}" }, { "x = 1 \\pm \\sqrt{2}", "1 \\pm \\sqrt{2}" },
        { "\\pm 3", "3, -3" }, { "-3, 3", "\\pm 3" }, { "x = \\pm 3", "\\pm 3" }, { "\\frac{-1 \\pm \\sqrt{5}}{2}", "\\frac{-1+\\sqrt{5}}{2}, \\frac{-1-\\sqrt{5}}{2}" },
        { "\\pm 1, \\pm 2", "1, -1, 2, -2" }, { "2 \\mp 1", "1, 3" },
        { "1 +/- \\sqrt{2}", "1 \\pm \\sqrt{2}" }, { "(3, 0), (-1, 0)", "(1 \\pm 2, 0)" }, { "(3, 0), (-1, 0), (5, 5)", "(1 \\pm 2, 0), (5, 5)" },
    };

    // A ratio equals the same terms in the same order, however spaced, named or written (22:42 is not 11:21: a
    // colon may be a time or a score, docs/verifier.md).
    public static TheoryData<string, string> Ratios => new()
    {
        { "11 : 21", "11:21" }, { "11:21", "11 : 21" }, { "V_1 : V_2 = 11:21", "11:21" }, { "V_1:V_2=11 : 21", "11:21" }, { "AB:BC = 11:21", "11:21" },
        { "11 \\colon 21", "11:21" }, { "\\frac{22}{2}:21", "11:21" }, { "1:2:3", "1 : 2 : 3" }, { "\\sqrt{2}:1", "\\sqrt 2 : 1" },
        { "11:21", "V_1 : V_2 = 11:21" }, { "$11:21$", "11:21" }, { "1.5:2", "\\frac{3}{2}:2" },
    };

    // Matrices: any bracket environment, any spelling of the entries; a column vector is also the tuple of its coordinates.
    public static TheoryData<string, string> Matrices => new()
    {
        { "\\begin{bmatrix}1\\\\2\\end{bmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\begin{pmatrix} \\frac12 & 0 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{pmatrix} 1/2 & 0 \\\\ 0 & 1 \\end{pmatrix}" },
        { "\\begin{pmatrix} 0.5 & 0 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{pmatrix} 1/2 & 0 \\\\ 0 & 1 \\end{pmatrix}" },
        { "\\left(\\begin{array}{c}1\\\\2\\end{array}\\right)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\left[\\begin{array}{cc}1 & 2\\\\3 & 4\\end{array}\\right]", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}" },
        { "\\begin{pmatrix} 1 \\\\ 2 \\\\ \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\begin{smallmatrix}1&0\\\\0&1\\end{smallmatrix}", "\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}" },
        { "\\begin{pmatrix} 2\\sqrt{2} \\\\ -1 \\end{pmatrix}", "\\begin{pmatrix} \\sqrt{8} \\\\ -1 \\end{pmatrix}" },
        { "A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}" },
        { "$\\begin{pmatrix} -\\frac{3}{5} \\\\ \\frac{4}{5} \\end{pmatrix}$", "\\begin{pmatrix} -0.6 \\\\ 0.8 \\end{pmatrix}" },
        { "(1, 2)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}" },
        { "\\left(\\frac{1}{2}, 3, -1\\right)", "\\begin{pmatrix} 0.5 \\\\ 3 \\\\ -1 \\end{pmatrix}" },
    };

    // A union of intervals equals the same parts in any order, written with \cup, ∪, "or" or \lor between bounds.
    public static TheoryData<string, string> Unions => new()
    {
        { "(3,\\infty)\\cup(-\\infty,-2)", "(-\\infty,-2)\\cup(3,\\infty)" }, { "x<-2 \\text{ or } x>3", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "x < -2 or x > 3", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-\\infty, -2) \\cup (3, \\infty)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "x \\in (-\\infty,-2)\\cup(3,\\infty)", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(-∞,-2)∪(3,∞)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "x \\le -2 \\text{ or } x \\ge 3", "(-\\infty,-2]\\cup[3,\\infty)" }, { "x > 3 \\lor x < -2", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "\\left(-\\infty, -2\\right) \\cup \\left(3, \\infty\\right)", "(-\\infty,-2)\\cup(3,\\infty)" },
        { "(-\\infty,-2)\\cup(3,\\infty)", "x<-2 \\text{ or } x>3" }, { "[0,1)\\cup(1,2]\\cup\\{5,6\\}", "\\{6,5\\}\\cup(1,2]\\cup[0,1)" },
        { "y<-2 \\text{ or } y>3", "(-\\infty,-2)\\cup(3,\\infty)" }, { "(1,2)\\cup\\{5\\}", "\\{5\\}\\cup(1,2)" },
    };

    // Inequalities linear in one variable are solved (dividing by a negative flips them) and compare as their interval.
    public static TheoryData<string, string> LinearInequalities => new()
    {
        { "-x > -1", "x < 1" }, { "2x \\le 6", "x \\le 3" }, { "-2x \\ge 4", "x \\le -2" }, { "3x + 1 < 7", "x < 2" },
        { "-1 < 2x + 1 \\le 5", "-1 < x \\le 2" }, { "5 > -x", "x > -5" }, { "\\frac{x}{2} \\geq 1", "[2, \\infty)" }, { "1 - x > 0", "x < 1" },
        { "2x \\le 6", "(-\\infty, 3]" }, { "x + x < 2", "x < 1" }, { "-6 \\le -3x < 3", "-1 < x \\le 2" }, { "4 - 2x > 0", "x < 2" },
        { "2(x-1) \\le 4", "x \\le 3" }, { "x < 1", "-x > -1" }, { "3x > 1", "x > \\frac{1}{3}" },
        { "x_{1} < 2", "x_1 < 2" }, { "2y \\le 6", "y \\le 3" }, { "(-\\infty, 1)", "-y > -1" },
    };

    // The percent policy (docs/verifier.md): with % on one side only, the other side may be the same number or it over 100.
    public static TheoryData<string, string> PercentPolicy => new()
    {
        { "50", "50\\%" }, { "50%", "50\\%" }, { "50 \\%", "50\\%" }, { "50\\,\\%", "50\\%" }, { "50 percent", "50\\%" }, { "50.0\\%", "50%" },
        { "50\\%", "0.5" }, { "\\frac{1}{2}", "50\\%" }, { "150%", "1.5" }, { "33\\frac{1}{3}\\%", "\\frac{1}{3}" }, { "0.5", "50\\%" },
    };

    // A decimal comma only as LaTeX's {,} and not before exactly three digits (that is 1{,}000); an irrational gold takes a
    // decimal that agrees to 1e-6 (rounded decimals for a fraction gold: RoundedDecimals, docs/verifier.md).
    public static TheoryData<string, string> DecimalCommasAndRounding => new()
    {
        { "3{,}5", "3.5" }, { "3.5", "3{,}5" }, { "0{,}125", "\\frac{1}{8}" }, { "-2{,}75", "-2.75" }, { "12{,}5\\%", "0.125" },
        { "3{,}14159", "3.14159" }, { "1{,}234{,}567", "1234567" }, { "$3{,}5$", "\\frac{7}{2}" },
        { "0.333", "0.333" }, { "3.14159265", "\\pi" }, { "1.4142136", "\\sqrt{2}" }, { "0.3333333333", "0.3333333333" },
    };

    // \textnormal, \textrm, \textup and \mathrm hold a unit the way \text does.
    public static TheoryData<string, string> TextUnits => new()
    {
        { "10\\textnormal{ cm}", "10" }, { "10\\textrm{ cm}", "10" }, { "10\\mathrm{cm}", "10" }, { "10\\textup{ cm}", "10" },
        { "10\\textnormal{ cm}", "10 cm" }, { "10\\textnormal{cm}", "10\\text{ cm}" }, { "10", "10\\textnormal{ cm}" },
        { "12\\textnormal{ cm}^2", "12 cm^2" }, { "\\textnormal{18}", "18" }, { "3\\textnormal{ kilometers}", "3\\mathrm{km}" },
    };

    // "x \approx v" names its value like "x = v"; "\approx v" alone is v.
    public static TheoryData<string, string> Approximately => new()
    {
        { "x \\approx 3.14", "3.14" }, { "\\approx 3.14", "3.14" }, { "3.14", "x \\approx 3.14" }, { "x ≈ 3.14", "3.14" },
        { "\\approx 3.14", "x = 3.14" }, { "x \\approx 2.5", "\\frac{5}{2}" }, { "\\approx 0.5", "\\frac12" }, { "≈ 12", "12" },
        { "x \\approx 3.14", "x \\approx 3.14" }, { "\\approx 3.14159265", "\\pi" }, { "The answer is \\approx 7", "7" },
    };

    // A decimal that is a non-terminating fraction gold correctly rounded, with at least 3 significant digits and 3
    // decimal places (docs/verifier.md). The first five rows were rejected before this rule (MathAnswerNotEquivalentTests).
    // Not in the symmetric test: a decimal gold is exact as written.
    public static TheoryData<string, string> RoundedDecimals => new()
    {
        { "0.333", "1/3" }, { "0.3333333", "\\frac{1}{3}" }, { "0.3333", "1/3" }, { "0.667", "2/3" }, { "0.333", "\\frac{1}{3}" },
        { "0.0833", "\\frac{1}{12}" }, { "3.143", "\\frac{22}{7}" }, { "-0.333", "-\\frac{1}{3}" }, { "0.143", "\\frac{1}{7}" },
        { "1.667", "\\frac{5}{3}" }, { "33.333", "\\frac{100}{3}" }, { "x = 0.0833", "\\frac{1}{12}" }, { "(0.333, 0.667)", "(\\frac{1}{3}, \\frac{2}{3})" },
        { "0.08333", "\\frac{1}{12}" }, { "0.667", "\\frac{4}{6}" }, { "0.0833 cm", "\\frac{1}{12}" }, { "0.333", "\\frac{1}{2}-\\frac{1}{6}" },
    };

    // A power on a function's name raises the function: \sin^2 x = (\sin x)^2, so identities compare by value.
    public static TheoryData<string, string> FunctionPowers => new()
    {
        { "\\sec^2 y", "\\tan^2 y + 1" }, { "\\tan^2 y + 1", "\\sec^2 y" }, { "\\sin^2 x + \\cos^2 x", "1" }, { "1", "\\sin^2 x + \\cos^2 x" },
        { "\\cos^{2}(x)", "(\\cos x)^2" }, { "\\tan^3 x", "(\\tan x)^3" }, { "\\sin^2 x", "\\frac{1 - \\cos(2x)}{2}" },
        { "\\csc^2 x - \\cot^2 x", "1" }, { "\\ln^2 x", "(\\ln x)^2" }, { "\\log^2 x", "(\\log x)^2" }, { "sin^2 x", "\\sin^2 x" },
        { "\\sin^{2} x", "\\sin^2 x" }, { "\\log_2^2 x", "(\\log_2 x)^2" }, { "\\log^2_2 8", "9" }, { "\\cos^2(\\pi/3)", "\\frac{1}{4}" },
        { "2\\sin^2 x", "1 - \\cos(2x)" },
    };

    // An argument without brackets is the run of numbers, letters and \pi after the function, up to an operator or command.
    public static TheoryData<string, string> FunctionArguments => new()
    {
        { "2\\sin x\\cos x", "\\sin 2x" }, { "\\sin 2x", "2\\sin x\\cos x" }, { "\\sin 2x", "\\sin(2x)" }, { "\\sin x \\cos x", "\\frac{\\sin(2x)}{2}" },
        { "\\sin x + 1", "1 + \\sin(x)" }, { "\\cos 3\\pi", "-1" }, { "\\sin x y", "\\sin(xy)" }, { "\\cos 2x", "\\cos^2 x - \\sin^2 x" },
        { "\\ln 2x", "\\ln 2 + \\ln x" }, { "\\tan 2x", "\\frac{2\\tan x}{1-\\tan^2 x}" }, { "\\sqrt 2 x", "x\\sqrt{2}" },
        { "\\sin 2x \\cos x", "2\\sin x \\cos^2 x" }, { "\\sin \\frac{\\pi}{6}", "\\frac12" }, { "\\sin x/2", "\\frac{\\sin x}{2}" },
        { "sin 2x", "\\sin(2x)" }, { "\\sin^2 2x", "(\\sin(2x))^2" }, { "\\log 100x", "2 + \\log x" }, { "\\cos(x) y", "y\\cos x" },
    };

    [Theory]
    [MemberData(nameof(Integers))]
    [MemberData(nameof(Decimals))]
    [MemberData(nameof(Fractions))]
    [MemberData(nameof(RootsAndPi))]
    [MemberData(nameof(Percent))]
    [MemberData(nameof(UnitsAndCurrency))]
    [MemberData(nameof(Negatives))]
    [MemberData(nameof(Scientific))]
    [MemberData(nameof(TuplesSetsIntervals))]
    [MemberData(nameof(EquationsAndForms))]
    [MemberData(nameof(Symbolic))]
    [MemberData(nameof(AroundTheAnswer))]
    [MemberData(nameof(Relations))]
    [MemberData(nameof(Domains))]
    [MemberData(nameof(UnitSpellings))]
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
    [MemberData(nameof(FunctionPowers))]
    [MemberData(nameof(FunctionArguments))]
    public void Equivalent_pairs_score_one(string predicted, string gold)
    {
        var result = MathAnswer.AreEquivalent(predicted, gold);

        Assert.True(result.Value == 1.0, $"'{predicted}' vs '{gold}': {result.Reason}");
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Theory]
    [MemberData(nameof(Integers))]
    [MemberData(nameof(Fractions))]
    [MemberData(nameof(TuplesSetsIntervals))]
    [MemberData(nameof(Symbolic))]
    [MemberData(nameof(PlusMinus))]
    [MemberData(nameof(Ratios))]
    [MemberData(nameof(Unions))]
    [MemberData(nameof(LinearInequalities))]
    [MemberData(nameof(DecimalCommasAndRounding))]
    [MemberData(nameof(FunctionPowers))]
    [MemberData(nameof(FunctionArguments))]
    public void Equivalence_is_symmetric_for_plain_forms(string predicted, string gold)
    {
        Assert.Equal(MathAnswer.AreEquivalent(predicted, gold).Value, MathAnswer.AreEquivalent(gold, predicted).Value);
    }
}
