using DeepSeekR1.Actors.Rl.Grpo;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

public class ReferencePolicyScheduleTests
{
    [Fact]
    public void R1_interval_refreshes_every_400_completed_steps()
    {
        var schedule = new ReferencePolicySchedule(ReferencePolicySchedule.R1RefreshEvery);
        Assert.False(schedule.ShouldRefresh(0));
        Assert.False(schedule.ShouldRefresh(1));
        Assert.False(schedule.ShouldRefresh(399));
        Assert.True(schedule.ShouldRefresh(400));
        Assert.False(schedule.ShouldRefresh(401));
        Assert.True(schedule.ShouldRefresh(800));
    }

    [Fact]
    public void Zero_interval_never_refreshes()
    {
        var schedule = new ReferencePolicySchedule(0);
        Assert.False(schedule.ShouldRefresh(0));
        Assert.False(schedule.ShouldRefresh(400));
        Assert.False(schedule.ShouldRefresh(1_000_000));
    }

    [Fact]
    public void Negative_values_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReferencePolicySchedule(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReferencePolicySchedule(10).ShouldRefresh(-1));
    }
}
