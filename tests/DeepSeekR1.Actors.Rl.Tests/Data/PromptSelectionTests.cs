using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tests.Data;

public class PromptSelectionTests
{
    [Fact]
    public void NoItemRepeatsWithinAnEpoch_AndEveryWholeBatchIsUsed()
    {
        const int Pool = 103, Batch = 10;
        long stepsPerEpoch = PromptSelection.StepsPerEpoch(Batch, Pool);
        Assert.Equal(10, stepsPerEpoch);

        for (long epoch = 0; epoch < 3; epoch++)
        {
            var used = new List<int>();
            for (long step = epoch * stepsPerEpoch; step < (epoch + 1) * stepsPerEpoch; step++)
            {
                Assert.Equal(epoch, PromptSelection.EpochOf(step, Batch, Pool));
                used.AddRange(PromptSelection.Batch(99, step, Batch, Pool));
            }

            Assert.Equal(100, used.Count);
            Assert.Equal(used.Count, used.Distinct().Count());
            Assert.All(used, index => Assert.InRange(index, 0, Pool - 1));
        }
    }

    [Fact]
    public void ResumedRun_PicksTheSamePrompts()
    {
        // A fresh computation of step 37 (as after a restart) equals the one made in sequence.
        int[][] inSequence = Enumerable.Range(0, 40).Select(step => PromptSelection.Batch(5, step, 8, 50)).ToArray();
        Assert.Equal(inSequence[37], PromptSelection.Batch(5, 37, 8, 50));
    }

    [Fact]
    public void EpochsAndSeeds_GiveDifferentOrders()
    {
        Assert.NotEqual(PromptSelection.Batch(5, 0, 8, 50), PromptSelection.Batch(5, 6, 8, 50)); // epoch 0 vs 1, same offset
        Assert.NotEqual(PromptSelection.Batch(5, 0, 8, 50), PromptSelection.Batch(6, 0, 8, 50));
    }

    [Fact]
    public void BatchLargerThanPool_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptSelection.Batch(1, 0, 11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptSelection.Batch(1, -1, 2, 10));
    }
}
