namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Derives independent seeds from a run seed and a path of coordinates (step, group, sample, ...).
/// Every random draw in a run takes its seed from here rather than from a shared generator, so a draw
/// depends only on where it happens, never on how many draws came before it: a resumed or re-ordered
/// run makes exactly the same draws.
/// </summary>
public static class Seeds
{
    // The golden-ratio increment of SplitMix64: consecutive inputs land far apart before mixing.
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>
    /// The SplitMix64 finaliser: a bijection on 64-bit values in which every input bit affects every
    /// output bit, so nearby inputs (step 7 and step 8) give unrelated outputs.
    /// </summary>
    /// <param name="x">Any 64-bit value.</param>
    /// <returns>The mixed value.</returns>
    public static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>
    /// The seed for the draw at <paramref name="path"/> under <paramref name="runSeed"/>.
    /// Order and length of the path both matter: (1, 2), (2, 1), (1) and (1, 0) all give different seeds.
    /// </summary>
    /// <param name="runSeed">The run's seed.</param>
    /// <param name="path">Coordinates of the draw, outermost first (for example step, group, sample).</param>
    /// <returns>A well-mixed 64-bit seed.</returns>
    public static ulong Derive(ulong runSeed, params long[] path)
    {
        ulong h = Mix(runSeed + Golden);
        foreach (long coordinate in path)
        {
            // Mixing the coordinate separately before folding it in keeps small coordinates (0, 1, 2)
            // from cancelling against the low bits of the running hash.
            h = Mix(h ^ Mix(unchecked((ulong)coordinate) + Golden));
        }

        return h;
    }

    /// <summary>
    /// Like <see cref="Derive(ulong, long[])"/> with a named purpose first, so two uses of the same
    /// coordinates (the prompts of step 5 and the samples of step 5) draw independently.
    /// </summary>
    /// <param name="runSeed">The run's seed.</param>
    /// <param name="purpose">What the draw is for, for example <c>"prompts"</c> or <c>"rollout"</c>.</param>
    /// <param name="path">Coordinates of the draw, outermost first.</param>
    /// <returns>A well-mixed 64-bit seed.</returns>
    public static ulong Derive(ulong runSeed, string purpose, params long[] path)
    {
        long label = unchecked((long)StableHash.Of(purpose));
        long[] full = new long[path.Length + 1];
        full[0] = label;
        path.CopyTo(full, 1);
        return Derive(runSeed, full);
    }
}
