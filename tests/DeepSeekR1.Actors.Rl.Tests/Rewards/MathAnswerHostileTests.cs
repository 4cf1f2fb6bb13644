using System.Diagnostics;
using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

/// <summary>Adversarial answers: each must score 0 with a reason, without throwing, and quickly.</summary>
public class MathAnswerHostileTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(500);

    public static TheoryData<string, string, string> Hostile => new()
    {
        // answer, gold, a word the reason must contain
        { new string('9', 20_000), "9", "too long" },
        { new string('9', 400), "9", "too long" },
        { "1" + string.Concat(Enumerable.Repeat(",000", 120)), "1", "too long" },
        { "2^2^2^2^2^99", "4", "tower" },
        { "2^{2^{2^{99}}}", "4", "not finite" }, { "2^{2^{2^{2^{2}}}}", "4", "tower" },
        { "2^{99999}", "4", "not" },
        { "10^{10^{10}}", "1", "not" },
        { "(2^{4096})^{4096}", "1", "not" },
        { "9^{9^{9}}", "1", "not" },
        { new string('(', 300) + "1" + new string(')', 300), "1", "too long" },
        { new string('(', 200) + "1" + new string(')', 200), "1", "too deep" },
        { new string('(', 100) + "1", "1", "" },
        { string.Concat(Enumerable.Repeat("\\frac{", 45)) + "1" + string.Concat(Enumerable.Repeat("}{2}", 45)), "1", "too deep" },
        { "\\frac{\\frac{\\frac{1}{2}", "1", "" },
        { "{{{{{", "1", "unbalanced" },
        { "}}}}}", "1", "unbalanced" },
        { "\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{2}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}", "1", "too deep" },
        { string.Concat(Enumerable.Repeat("-", 200)) + "1", "1", "too deep" },
        { string.Join("+", Enumerable.Repeat("x", 250)), "1", "" },
        { "1e999999", "1", "" },
        { "1e400", "1", "" },
        { "1000!", "1", "" },
        { "\\text{" + new string('a', 600) + "}", "1", "too long" },
        { "((((((((((((((((((((((((((((((((((((((((((((((((((x", "x", "" },
        { "$\\boxed{", "1", "" },
        { "\\left(\\right(", "1", "" },
        { "|||||||", "1", "" },
        { "x^^^2", "1", "" },
        { "\\\\\\\\", "1", "" },
        { "\0\u0001\u0002", "1", "" },
        { "1/(x-x)", "1", "" },
        // The newer kinds (\pm, ratios, matrices, unions): as large as the length limit allows, against near copies.
        { string.Concat(Enumerable.Repeat("\\pm ", 100)) + "1", "1", "too deep" },
        { "1" + string.Concat(Enumerable.Repeat(":1", 200)), "1" + string.Concat(Enumerable.Repeat(":1", 199)) + ":2", "ratio" },
        { "\\begin{pmatrix}" + string.Join("\\\\", Enumerable.Repeat("x", 150)) + "\\end{pmatrix}", "\\begin{pmatrix}" + string.Join("\\\\", Enumerable.Repeat("x", 149)) + "\\\\y\\end{pmatrix}", "matrix" },
        { string.Join("\\cup", Enumerable.Repeat("(x,2)", 50)), string.Join("\\cup", Enumerable.Repeat("(x,3)", 50)), "union" },
        { string.Join(" or ", Enumerable.Repeat("x<1", 60)), string.Join(" or ", Enumerable.Repeat("x>1", 60)), "union" },
        { string.Concat(Enumerable.Repeat("(x+1)*", 80)) + "x < 1", "x < 1", "" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_answers_score_zero_fast_with_a_reason(string predicted, string gold, string reasonWord)
    {
        var clock = Stopwatch.StartNew();
        var result = MathAnswer.AreEquivalent(predicted, gold);
        clock.Stop();

        Assert.True(result.Value == 0.0, $"hostile answer accepted: {result.Reason}");
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        Assert.True(result.Reason.Contains(reasonWord, StringComparison.Ordinal), $"reason: {result.Reason}");
        Assert.DoesNotContain("verifier error", result.Reason);
        Assert.True(clock.Elapsed < Fast, $"took {clock.Elapsed.TotalMilliseconds} ms");
    }

    // Answers that cost the most work the limits allow: with no time left each must score 0 with the reason timeout.
    public static TheoryData<string, string> Pathological => new()
    {
        { string.Join("+", Enumerable.Repeat("x", 250)), "250x" },
        { string.Join("+", Enumerable.Repeat("2^{2^{3}}", 50)), "12800" },
        { new string('(', 39) + "x^2" + new string(')', 39), "x*x" },
        { string.Join("*", Enumerable.Repeat("(x+1)", 80)), "(x+1)^{80}" },
        { "\\begin{pmatrix} x & x \\\\ x & x \\end{pmatrix}", "\\begin{pmatrix} x & x \\\\ x & x \\end{pmatrix}" },
        { "1", "1" },
    };

    [Theory]
    [MemberData(nameof(Pathological))]
    public void A_check_past_its_time_budget_scores_zero_with_timeout(string predicted, string gold)
    {
        var result = MathAnswer.AreEquivalent(predicted, gold, TimeSpan.Zero);

        Assert.True(result.Value == 0.0, $"accepted without time: {result.Reason}");
        Assert.Contains("timeout", result.Reason);
        Assert.DoesNotContain("verifier error", result.Reason);
    }

    [Fact]
    public void A_spent_budget_does_not_outlive_its_check()
    {
        Assert.Contains("timeout", MathAnswer.AreEquivalent(string.Join("+", Enumerable.Repeat("x", 250)), "250x", TimeSpan.Zero).Reason);

        var result = MathAnswer.AreEquivalent(string.Join("+", Enumerable.Repeat("x", 250)), "250x");

        Assert.True(result.Value == 1.0, result.Reason);
    }

    [Fact]
    public void A_hostile_gold_is_reported_not_thrown()
    {
        var result = MathAnswer.AreEquivalent("1", "\\frac{1}{2");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("gold", result.Reason);
    }

    [Fact]
    public void Big_integers_compare_exactly_up_to_the_digit_limit()
    {
        var big = "1" + new string('0', 250);
        var bigPlusOne = "1" + new string('0', 249) + "1";

        Assert.Equal(1.0, MathAnswer.AreEquivalent(big, "10^{250}").Value);
        Assert.Equal(0.0, MathAnswer.AreEquivalent(bigPlusOne, "10^{250}").Value);
    }
}
