using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests;

public class CheckpointRetentionTests
{
    private static long[] Kept(long latest, GrpoSettings grpo) =>
        Enumerable.Range(0, (int)latest + 1).Select(v => (long)v).Where(v => CheckpointRetention.Keeps(v, latest, grpo)).ToArray();

    [Fact]
    public void Only_the_start_the_latest_and_the_reference_stay_by_default()
    {
        var grpo = GrpoSettings.Defaults with { Steps = 150, CheckpointEvery = 0, ReferenceRefreshEvery = 400 };
        Assert.Equal([0L, 37L], Kept(37, grpo));
        Assert.Equal([0L, 150L], Kept(150, grpo));
    }

    [Fact]
    public void Every_nth_version_the_reference_and_the_last_step_stay()
    {
        var grpo = GrpoSettings.Defaults with { Steps = 23, CheckpointEvery = 5, ReferenceRefreshEvery = 8 };
        // At version 19: multiples of 5, the reference (refreshed at 16), and 19 itself.
        Assert.Equal([0L, 5L, 10L, 15L, 16L, 19L], Kept(19, grpo));
        // The run's last step stays even when it is no multiple of 5; the reference moved on to 16 -> still 16.
        Assert.Equal([0L, 5L, 10L, 15L, 16L, 20L, 23L], Kept(23, grpo));
    }
}
