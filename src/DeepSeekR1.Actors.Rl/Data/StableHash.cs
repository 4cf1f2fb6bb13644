using System.Text;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// A 64-bit hash of text that never changes between processes, machines or .NET versions
/// (unlike <see cref="string.GetHashCode()"/>, which is randomised per process). Used for item ids and
/// for deciding which split an item belongs to, both of which must be the same forever.
/// </summary>
public static class StableHash
{
    private const ulong FnvOffset = 0xCBF29CE484222325UL;
    private const ulong FnvPrime = 0x100000001B3UL;

    /// <summary>The hash of <paramref name="text"/>'s UTF-8 bytes.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>FNV-1a over the bytes, then the SplitMix64 finaliser so every bit is well mixed.</returns>
    public static ulong Of(string text)
    {
        ulong h = FnvOffset;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            h = (h ^ b) * FnvPrime;
        }

        return Seeds.Mix(h);
    }

    /// <summary>The first 12 hexadecimal digits of <see cref="Of"/>: short enough for an id, long enough to avoid collisions.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>Twelve lowercase hexadecimal digits.</returns>
    public static string Hex(string text) => Of(text).ToString("x16")[..12];
}
