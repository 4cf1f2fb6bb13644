using DeepSeekR1.Actors.Rl.Grpo;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

public class DynamicSamplingTests
{
    [Fact]
    public void Keeps_groups_with_any_spread()
    {
        Assert.True(DynamicSampling.KeepGroup([1, 0, 1]));
        Assert.True(DynamicSampling.KeepGroup([0.5, 0.5, 0.5000001]));
    }

    [Fact]
    public void Drops_groups_without_spread()
    {
        Assert.False(DynamicSampling.KeepGroup([0, 0, 0]));
        Assert.False(DynamicSampling.KeepGroup([1, 1]));
        Assert.False(DynamicSampling.KeepGroup([0.5]));
        Assert.False(DynamicSampling.KeepGroup([]));
    }
}
