using System.Globalization;
using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

public class BuiltinTokenizerTests
{
    private static BuiltinTokenizer Tokenizer => TokenizerTestData.Builtin;

    [Theory]
    [MemberData(nameof(TokenizerTestData.RoundTripTexts), MemberType = typeof(TokenizerTestData))]
    public void RoundTrips(string text)
    {
        Assert.Equal(text, Tokenizer.Decode(Tokenizer.Encode(text)));
    }

    [Fact]
    public void RoundTripsTheTemplateWithReasoning()
    {
        string text = PromptTemplates.R1Zero("What is 347 + 29?") + " <think> 347 + 29 = 376. Wait, let me verify. </think> <answer> 376 </answer>";
        Assert.Equal(text, Tokenizer.Decode(Tokenizer.Encode(text)));
    }

    [Fact]
    public void EveryDigitIsItsOwnToken()
    {
        const string text = "12345 + 67890 = 80235, and 3.14 * 100";
        IReadOnlyList<int> ids = Tokenizer.Encode(text);

        var digitTokens = ids.Select(id => Tokenizer.Decode([id])).Where(t => t.Any(char.IsAsciiDigit)).ToList();
        Assert.All(digitTokens, t => Assert.True(t.Length == 1, $"token '{t}' holds more than one digit or a digit and more"));
        Assert.Equal(text.Count(char.IsAsciiDigit), digitTokens.Count);
        Assert.Equal(10, Enumerable.Range(0, 10).Select(d => Tokenizer.TokenToId(d.ToString(CultureInfo.InvariantCulture))).Distinct().Count());
    }

    [Theory]
    [InlineData("<think>")]
    [InlineData("</think>")]
    [InlineData("<answer>")]
    [InlineData("</answer>")]
    public void ReasoningTagsAreSingleTokensAndSurviveSkipSpecial(string tag)
    {
        IReadOnlyList<int> alone = Tokenizer.Encode(tag);
        Assert.Single(alone);
        Assert.Equal(Tokenizer.TokenToId(tag), alone[0]);

        IReadOnlyList<int> inText = Tokenizer.Encode($"x{tag}y");
        Assert.Equal(3, inText.Count);
        Assert.Equal(alone[0], inText[1]);
        Assert.Equal($"x{tag}y", Tokenizer.Decode(inText, skipSpecialTokens: true));
    }

    [Fact]
    public void SpecialTokensHaveFixedIdsAndAreSkippable()
    {
        Assert.Equal(0, Tokenizer.PadId);
        Assert.Equal(0, Tokenizer.TokenToId(BuiltinTokenizer.PadToken));
        Assert.Equal(Tokenizer.TokenToId(BuiltinTokenizer.BosToken), Tokenizer.BosId);
        Assert.Equal(Tokenizer.TokenToId(BuiltinTokenizer.EosToken), Tokenizer.EosId);

        IReadOnlyList<int> ids = Tokenizer.Encode("<|bos|>hi<|eos|><|pad|>");
        Assert.Equal(Tokenizer.BosId, ids[0]);
        Assert.Equal([Tokenizer.EosId, Tokenizer.PadId], ids.TakeLast(2));
        Assert.Equal("hi", Tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|bos|>hi<|eos|><|pad|>", Tokenizer.Decode(ids));
    }

    [Fact]
    public void CommittedFileIsWhatTrainingProducesAndHasTheRequestedSize()
    {
        BuiltinTokenizer trained = BuiltinTokenizer.Train(BuiltinTokenizer.DefaultVocabSize, BuiltinTokenizer.DefaultSeed);

        Assert.Equal(File.ReadAllText(Path.Combine(TokenizerTestData.BuiltinDirectory, "tokenizer.json")), trained.ToJson());
        Assert.Equal(BuiltinTokenizer.DefaultVocabSize, Tokenizer.VocabSize);
    }

    [Fact]
    public void CompressesTheTemplateAndReflectiveWords()
    {
        string prompt = PromptTemplates.R1Zero("What is 347 + 29?");
        Assert.True(Tokenizer.Encode(prompt).Count < prompt.Length / 3, "the template should cost well under one token per three characters");
        Assert.NotNull(Tokenizer.TokenToId(" verify"));
        Assert.NotNull(Tokenizer.TokenToId(" Wait"));
    }

    [Fact]
    public void SaveThenLoadGivesTheSameEncoding()
    {
        string directory = Path.Combine(Path.GetTempPath(), "builtin-tok-" + Guid.NewGuid().ToString("N"));
        try
        {
            Tokenizer.Save(directory);
            BuiltinTokenizer fromDirectory = BuiltinTokenizer.Load(directory);
            using FileStream stream = File.OpenRead(Path.Combine(directory, "tokenizer.json"));
            BuiltinTokenizer fromStream = BuiltinTokenizer.Load(stream);
            HuggingFaceTokenizer asHf = HuggingFaceTokenizer.FromDirectory(directory);

            string text = TokenizerTestData.English;
            Assert.Equal(Tokenizer.Encode(text), fromDirectory.Encode(text));
            Assert.Equal(Tokenizer.Encode(text), fromStream.Encode(text));
            Assert.Equal(Tokenizer.Encode(text), asHf.Encode(text));
            Assert.Equal(Tokenizer.EosId, asHf.EosId);
            Assert.Equal(Tokenizer.BosId, asHf.BosId);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
