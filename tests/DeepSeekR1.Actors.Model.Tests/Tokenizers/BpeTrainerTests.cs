using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

public class BpeTrainerTests
{
    [Fact]
    public void MergesTheMostFrequentPairFirst()
    {
        // "aaab" x3 has (a,a) 6 times and (a,b) 3 times; "ab" x2 adds 2 more (a,b).
        // Round 1: (a,a)=6 wins; "aaab" becomes [aa, a, b]. Round 2: (a,b)=5 beats (aa,a)=3.
        // Round 3: (aa,ab)=3. Then no pair is left in "aaab", and "ab" is one symbol.
        var counts = new Dictionary<string, int> { ["aaab"] = 3, ["ab"] = 2 };

        BpeTrainingResult result = new BpeTrainer().Train(counts, maxTokens: 300);

        Assert.Equal([("a", "a"), ("a", "b"), ("aa", "ab")], result.Merges);
        Assert.Equal(259, result.Tokens.Count);
        Assert.Equal(["aa", "ab", "aaab"], result.Tokens.Skip(256));
        Assert.Equal("Ġ", result.Tokens[' ']);
    }

    [Fact]
    public void BreaksTiesByOrdinalOrderAndStopsAtTheLimit()
    {
        var counts = new Dictionary<string, int> { ["cd"] = 2, ["ab"] = 2 };

        BpeTrainingResult result = new BpeTrainer().Train(counts, maxTokens: 257);

        Assert.Equal([("a", "b")], result.Merges);
    }

    [Fact]
    public void IgnoresPairsBelowTheMinimumFrequency()
    {
        var counts = new Dictionary<string, int> { ["xy"] = 1, ["zz"] = 2 };

        BpeTrainingResult result = new BpeTrainer(minPairFrequency: 2).Train(counts, maxTokens: 1000);

        Assert.Equal([("z", "z")], result.Merges);
    }

    [Fact]
    public void SameSeedGivesTheSameTokenizer()
    {
        string first = BuiltinTokenizer.Train(400, seed: 7).ToJson();
        string second = BuiltinTokenizer.Train(400, seed: 7).ToJson();
        string otherSeed = BuiltinTokenizer.Train(400, seed: 8).ToJson();

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }
}
