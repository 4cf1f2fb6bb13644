using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

public class TiktokenPolicyTokenizerTests
{
    private static readonly Lazy<TiktokenPolicyTokenizer> Cl100k = new(() => TiktokenPolicyTokenizer.ForEncoding("cl100k_base"));
    private static readonly Lazy<TiktokenPolicyTokenizer> O200k = new(() => TiktokenPolicyTokenizer.ForEncoding("o200k_base"));

    private static TiktokenPolicyTokenizer Get(string encoding) => encoding == "cl100k_base" ? Cl100k.Value : O200k.Value;

    public static TheoryData<string, string> EncodingsAndTexts()
    {
        var data = new TheoryData<string, string>();
        foreach (string encoding in new[] { "cl100k_base", "o200k_base" })
        {
            foreach (string text in new[] { TokenizerTestData.English, TokenizerTestData.Chinese, TokenizerTestData.Code })
            {
                data.Add(encoding, text);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EncodingsAndTexts))]
    public void RoundTrips(string encoding, string text)
    {
        TiktokenPolicyTokenizer tokenizer = Get(encoding);
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Cl100kKnownIdsAndCounts()
    {
        TiktokenPolicyTokenizer tokenizer = Cl100k.Value;
        Assert.Equal([15339, 1917], tokenizer.Encode("hello world"));
        Assert.Equal(6, tokenizer.Encode("tiktoken is great!").Count);
        Assert.Equal(2, O200k.Value.Encode("hello world").Count);
    }

    [Fact]
    public void EndOfTextInTheTextIsOneSpecialToken()
    {
        TiktokenPolicyTokenizer tokenizer = Cl100k.Value;
        IReadOnlyList<int> ids = tokenizer.Encode("hi<|endoftext|>");

        Assert.Equal(100257, tokenizer.EosId);
        Assert.Equal(tokenizer.EosId, ids[^1]);
        Assert.Equal("hi<|endoftext|>", tokenizer.Decode(ids));
        Assert.Equal("hi", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void SizesAndIdsFollowTheEncodings()
    {
        Assert.Equal(100277, Cl100k.Value.VocabSize);
        Assert.Equal(200019, O200k.Value.VocabSize);
        Assert.Equal(199999, O200k.Value.EosId);
        Assert.Equal(Cl100k.Value.EosId, Cl100k.Value.PadId);
        Assert.Null(Cl100k.Value.BosId);
    }

    [Fact]
    public void TokenToIdFindsWholeTokensOnly()
    {
        TiktokenPolicyTokenizer tokenizer = Cl100k.Value;
        Assert.Equal(15339, tokenizer.TokenToId("hello"));
        Assert.Equal(100257, tokenizer.TokenToId("<|endoftext|>"));
        Assert.Null(tokenizer.TokenToId("hello world"));
    }

    [Fact]
    public void UnknownEncodingIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TiktokenPolicyTokenizer.ForEncoding("p50k_base"));
        Assert.Contains("p50k_base", error.Message);
    }
}
