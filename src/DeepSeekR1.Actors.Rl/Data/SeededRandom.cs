namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// A small deterministic random generator (SplitMix64). Unlike <see cref="Random"/>, its sequence for
/// a seed is fixed by this code, not by the runtime, so generated tasks stay the same across .NET
/// versions. Create one per draw site from a seed given by <see cref="Seeds.Derive(ulong, long[])"/>;
/// never share one across threads.
/// </summary>
public sealed class SeededRandom
{
    private ulong _state;

    /// <summary>A generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any 64-bit value.</param>
    public SeededRandom(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    /// <returns>A uniformly distributed 64-bit value.</returns>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Seeds.Mix(_state);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    /// <param name="minInclusive">Smallest possible value.</param>
    /// <param name="maxExclusive">One past the largest possible value; must exceed <paramref name="minInclusive"/>.</param>
    /// <returns>The drawn integer.</returns>
    public long NextInt64(long minInclusive, long maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), "The range is empty.");
        }

        ulong range = unchecked((ulong)(maxExclusive - minInclusive));

        // Rejection sampling: drop the top partial copy of [0, range) so every value is equally likely.
        ulong limit = ulong.MaxValue - (ulong.MaxValue % range);
        ulong draw;
        do
        {
            draw = NextUInt64();
        }
        while (draw >= limit);

        return unchecked(minInclusive + (long)(draw % range));
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    /// <param name="minInclusive">Smallest possible value.</param>
    /// <param name="maxExclusive">One past the largest possible value; must exceed <paramref name="minInclusive"/>.</param>
    /// <returns>The drawn integer.</returns>
    public int Next(int minInclusive, int maxExclusive) => (int)NextInt64(minInclusive, maxExclusive);

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <param name="maxExclusive">One past the largest possible value; must be positive.</param>
    /// <returns>The drawn integer.</returns>
    public int Next(int maxExclusive) => Next(0, maxExclusive);

    /// <summary>A uniformly chosen element of <paramref name="choices"/>.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="choices">A non-empty list.</param>
    /// <returns>One of its elements.</returns>
    public T Pick<T>(IReadOnlyList<T> choices) => choices[Next(choices.Count)];

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates): every order is equally likely.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="items">The list to shuffle.</param>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
