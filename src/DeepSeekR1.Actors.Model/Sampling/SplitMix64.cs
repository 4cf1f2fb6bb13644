namespace DeepSeekR1.Actors.Model.Sampling;

/// <summary>
/// A tiny, fast, well-mixed 64-bit generator (Steele, Lea and Flood's SplitMix64). Each completion owns one, seeded
/// from its request, so its draws do not depend on which other completions share the batch: the same seed gives the
/// same tokens whether a rollout is sampled alone, in a group, or batched with other groups.
/// </summary>
public struct SplitMix64
{
    private ulong state;

    /// <summary>Starts the stream at <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform draw in [0, 1) with 53 bits of precision.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
