using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Pretraining;

namespace DeepSeekR1.Actors.Rl.Tests.Pretraining;

public class AnswerSlipTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(-38L)]
    [InlineData(10L)]
    [InlineData(999L)]
    [InlineData(-1000L)]
    [InlineData(123456789L)]
    public void A_slip_always_changes_the_value_by_one_unit_of_one_digit(long value)
    {
        var random = new SeededRandom(42);
        for (int i = 0; i < 200; i++)
        {
            long slipped = AnswerSlip.Apply(value, random);
            Assert.NotEqual(value, slipped);
            long difference = Math.Abs(slipped - value);
            // Off by one, or one digit moved by one: the difference is a power of ten.
            Assert.Contains(difference, new[] { 1L, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000 });
        }
    }
}
