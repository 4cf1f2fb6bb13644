using DeepSeekR1.Actors.Rl.Evaluation;

namespace DeepSeekR1.Actors.Rl.Tests.Evaluation;

public class PassAtKTests
{
    // n = 5, c = 2: 1 - C(3, k) / C(5, k) = 1 - {3/5, 3/10, 1/10, 0, 0}.
    [Theory]
    [InlineData(1, 0.4)]
    [InlineData(2, 0.7)]
    [InlineData(3, 0.9)]
    [InlineData(4, 1.0)]
    [InlineData(5, 1.0)]
    public void Matches_the_binomial_form_for_five_samples_two_correct(int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(5, 2, k), 12);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void No_correct_sample_gives_zero_and_all_correct_gives_one(int k)
    {
        Assert.Equal(0.0, PassAtK.Estimate(16, 0, k));
        Assert.Equal(1.0, PassAtK.Estimate(16, 16, k));
    }

    [Fact]
    public void Pass_at_1_is_the_share_of_correct_samples()
    {
        for (int c = 0; c <= 16; c++)
            Assert.Equal(c / 16.0, PassAtK.Estimate(16, c, 1), 12);
    }

    [Fact]
    public void Stays_finite_and_agrees_with_the_complement_count_for_many_samples()
    {
        // C(150, 10) / C(200, 10) as a ratio of falling factorials: (150 * 149 * ... * 141) / (200 * 199 * ... * 191).
        double ratio = 1.0;
        for (int i = 0; i < 10; i++) ratio *= (150.0 - i) / (200.0 - i);
        Assert.Equal(1 - ratio, PassAtK.Estimate(200, 50, 10), 12);
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(5, 6, 1)]
    [InlineData(5, -1, 1)]
    [InlineData(5, 2, 0)]
    [InlineData(5, 2, 6)]
    public void Rejects_impossible_counts(int n, int c, int k) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => PassAtK.Estimate(n, c, k));
}
