using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tests.Data;

public class SeededRandomTests
{
    [Fact]
    public void SameSeed_SameSequence_DifferentSeed_DifferentSequence()
    {
        long[] Draw(ulong seed)
        {
            var random = new SeededRandom(seed);
            return Enumerable.Range(0, 20).Select(_ => random.NextInt64(0, 1_000_000)).ToArray();
        }

        Assert.Equal(Draw(5), Draw(5));
        Assert.NotEqual(Draw(5), Draw(6));
    }

    [Fact]
    public void Next_StaysInRange_AndCoversItUniformly()
    {
        var random = new SeededRandom(11);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            int value = random.Next(3, 10);
            Assert.InRange(value, 3, 9);
            counts[value - 3]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_400, 10_600));
    }

    [Fact]
    public void Shuffle_IsAPermutation()
    {
        int[] items = Enumerable.Range(0, 100).ToArray();
        new SeededRandom(3).Shuffle(items);
        Assert.Equal(Enumerable.Range(0, 100), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), items);
    }

    [Fact]
    public void EmptyRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeededRandom(1).Next(5, 5));
    }
}
