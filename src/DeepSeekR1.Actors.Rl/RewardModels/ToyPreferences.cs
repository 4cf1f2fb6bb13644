using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// A stand-in for real preference data (docs/reward-models.md): general instructions the tiny built-in model can learn
/// to judge (spell a number, reverse a word, count letters, capitalise a word), each with a correct, helpful answer and
/// a worse one. The worse answer is wrong in one of the ways real preference data ranks down: a wrong result, the input
/// echoed back, an unhelpful refusal of a harmless request, or no attempt at all. Deterministic for a seed.
/// </summary>
public static class ToyPreferences
{
    private static readonly string[] Words =
    [
        "apple", "river", "table", "garden", "window", "pencil", "orange", "planet", "silver", "forest", "bridge", "candle",
        "rocket", "summer", "winter", "market", "doctor", "button", "castle", "dragon", "island", "mirror", "pocket", "spring",
        "stone", "cloud", "horse", "music", "paper", "light", "water", "chair", "bread", "green", "happy", "night",
    ];

    private static readonly string[] Ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    /// <summary>The English words for 0..999 ("forty-seven", "three hundred and five").</summary>
    public static string Spell(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 999);
        if (n < 20) return Ones[n];
        if (n < 100) return Tens[n / 10] + (n % 10 == 0 ? "" : "-" + Ones[n % 10]);
        return Ones[n / 100] + " hundred" + (n % 100 == 0 ? "" : " and " + Spell(n % 100));
    }

    /// <summary><paramref name="count"/> pairs drawn from <paramref name="seed"/>.</summary>
    public static IEnumerable<PreferencePair> Generate(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (int i = 0; i < count; i++)
        {
            var random = new SeededRandom(Seeds.Derive(seed, "toy-preferences", i));
            var (prompt, good, wrong) = random.Next(4) switch
            {
                0 => SpellTask(random),
                1 => ReverseTask(random),
                2 => CountTask(random),
                _ => UpperTask(random),
            };
            // Half the worse answers are wrong results, the rest the other failure modes in turn.
            string rejected = random.Next(6) switch
            {
                < 3 => wrong,
                3 => prompt,
                4 => "I cannot help with that request.",
                _ => "I don't know.",
            };
            yield return new PreferencePair($"pref-{i:D5}", prompt, good, rejected);
        }
    }

    private static (string Prompt, string Good, string Wrong) SpellTask(SeededRandom random)
    {
        int n = random.Next(1, 200);
        int off = n + (random.Next(2) == 0 ? 1 : -1);
        return ($"Spell the number {n} in words.", $"{n} is {Spell(n)}.", $"{n} is {Spell(off)}.");
    }

    private static (string Prompt, string Good, string Wrong) ReverseTask(SeededRandom random)
    {
        string word = random.Pick(Words);
        string reversed = new(word.Reverse().ToArray());
        // A near miss: the reversed word with two neighbouring letters swapped back.
        var chars = reversed.ToCharArray();
        int at = random.Next(chars.Length - 1);
        (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
        string wrong = new(chars);
        if (wrong == reversed) wrong = word;
        return ($"Reverse the word {word}.", $"The word {word} reversed is {reversed}.", $"The word {word} reversed is {wrong}.");
    }

    private static (string Prompt, string Good, string Wrong) CountTask(SeededRandom random)
    {
        string word = random.Pick(Words);
        int wrong = word.Length + (random.Next(2) == 0 ? 1 : -1);
        return ($"How many letters are in the word {word}?", $"The word {word} has {word.Length} letters.", $"The word {word} has {wrong} letters.");
    }

    private static (string Prompt, string Good, string Wrong) UpperTask(SeededRandom random)
    {
        string word = random.Pick(Words);
        return ($"Write the word {word} in capital letters.", $"In capital letters: {word.ToUpperInvariant()}.", $"In capital letters: {word}.");
    }
}
