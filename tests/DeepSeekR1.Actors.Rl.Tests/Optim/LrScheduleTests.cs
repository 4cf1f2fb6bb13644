using DeepSeekR1.Actors.Rl.Optim;

namespace DeepSeekR1.Actors.Rl.Tests.Optim;

public class LrScheduleTests
{
    [Fact]
    public void Linear_warmup_then_constant()
    {
        var schedule = new LrSchedule(1e-3, warmupSteps: 4);
        Assert.Equal(2.5e-4, schedule.At(0), 15);
        Assert.Equal(5.0e-4, schedule.At(1), 15);
        Assert.Equal(1e-3, schedule.At(3), 15);
        Assert.Equal(1e-3, schedule.At(4), 15);
        Assert.Equal(1e-3, schedule.At(10_000), 15);
    }

    [Fact]
    public void No_warmup_starts_at_the_peak()
    {
        Assert.Equal(3e-6, new LrSchedule(3e-6).At(0));
    }

    [Fact]
    public void Cosine_decays_from_peak_to_floor_and_stays()
    {
        // Peak 1e-3, floor 1e-4, decay over steps 4..14.
        var schedule = new LrSchedule(1e-3, warmupSteps: 4, decay: LrDecay.Cosine, totalSteps: 14, minRatio: 0.1);
        Assert.Equal(2.5e-4, schedule.At(0), 15);
        Assert.Equal(1e-3, schedule.At(4), 15);
        // Half way (step 9): cos(π/2) = 0, so floor + (peak - floor)/2 = 1e-4 + 4.5e-4.
        Assert.Equal(5.5e-4, schedule.At(9), 15);
        // Step 14 ends the decay; later steps hold the floor.
        Assert.Equal(1e-4, schedule.At(14), 15);
        Assert.Equal(1e-4, schedule.At(20), 15);
        // Step 5: progress 0.1, 1e-4 + 9e-4 × (1 + cos(0.1π))/2.
        Assert.Equal(1e-4 + 9e-4 * (1 + Math.Cos(0.1 * Math.PI)) / 2, schedule.At(5), 15);
    }

    [Fact]
    public void Invalid_schedules_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LrSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LrSchedule(1e-3, warmupSteps: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LrSchedule(1e-3, 10, LrDecay.Cosine, totalSteps: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LrSchedule(1e-3, 0, LrDecay.Cosine, totalSteps: 10, minRatio: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LrSchedule(1e-3).At(-1));
    }
}
