using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

/// <summary>
/// The qwen-style fixture is a hand-made byte-level BPE in Qwen2.5's layout: ids 0..255 are the
/// bytes, then seven merges ("Ġ t", "h e", "Ġt he", "l l", "he ll", "hell o", "Ġ hello") in the
/// "left right" string form, an NFC normalizer, Qwen's Split regex, and added tokens 263..266.
/// Expected ids below are worked out by hand from those merges.
/// </summary>
public class HuggingFaceTokenizerTests
{
    private static string QwenStylePath => Path.Combine(TokenizerTestData.FixtureDirectory("qwen-style"), "tokenizer.json");

    private static readonly Lazy<HuggingFaceTokenizer> QwenStyle = new(() => HuggingFaceTokenizer.FromFile(QwenStylePath));

    [Fact]
    public void EncodesLikeHuggingFace()
    {
        // "hello" -> h e l l o -> he l l o -> he ll o -> hell o -> hello (261)
        // " the" -> Ġt h e -> Ġt he -> Ġthe (258); " " before a digit stays alone (32); digits split (52, 50).
        Assert.Equal([261, 258, 32, 52, 50, 263], QwenStyle.Value.Encode("hello the 42<|endoftext|>"));
        Assert.Equal([262], QwenStyle.Value.Encode(" hello"));
    }

    [Fact]
    public void AppliesNfcBeforeBytes()
    {
        // e + combining acute becomes U+00E9, UTF-8 C3 A9.
        Assert.Equal([0xC3, 0xA9], QwenStyle.Value.Encode("e\u0301"));
    }

    [Fact]
    public void AddedTokensAreSingleIdsAndOnlySpecialOnesAreSkipped()
    {
        HuggingFaceTokenizer tokenizer = QwenStyle.Value;
        IReadOnlyList<int> ids = tokenizer.Encode("<|im_start|>hello<tool_call><|im_end|>");

        Assert.Equal([264, 261, 266, 265], ids);
        Assert.Equal("hello<tool_call>", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|im_start|>hello<tool_call><|im_end|>", tokenizer.Decode(ids));
    }

    [Fact]
    public void ReadsSpecialTokenNamesFromTokenizerConfig()
    {
        HuggingFaceTokenizer tokenizer = QwenStyle.Value;
        Assert.Equal(265, tokenizer.EosId);
        Assert.Equal(263, tokenizer.PadId);
        Assert.Null(tokenizer.BosId);
        Assert.Equal(267, tokenizer.VocabSize);
        Assert.Equal(258, tokenizer.TokenToId(" the"));
        Assert.Null(tokenizer.TokenToId(" them"));
    }

    [Theory]
    [MemberData(nameof(TokenizerTestData.RoundTripTexts), MemberType = typeof(TokenizerTestData))]
    public void RoundTrips(string text)
    {
        Assert.Equal(text, QwenStyle.Value.Decode(QwenStyle.Value.Encode(text)));
    }

    [Theory]
    [MemberData(nameof(TokenizerTestData.RoundTripTexts), MemberType = typeof(TokenizerTestData))]
    public void ArrayAndStringMergeFormsEncodeAlike(string text)
    {
        // The built-in file stores merges as [left, right]; rewrite them as "left right" strings.
        JsonNode root = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerTestData.BuiltinDirectory, "tokenizer.json")))!;
        JsonArray merges = root["model"]!["merges"]!.AsArray();
        var asStrings = new JsonArray([.. merges.Select(m => (JsonNode)JsonValue.Create($"{m![0]} {m[1]}"))]);
        root["model"]!["merges"] = asStrings;

        HuggingFaceTokenizer arrays = HuggingFaceTokenizer.FromDirectory(TokenizerTestData.BuiltinDirectory);
        HuggingFaceTokenizer strings = HuggingFaceTokenizer.FromJson(root.ToJsonString(), "string-merges", new SpecialTokenNames("<|eos|>", null, null));

        Assert.Equal(arrays.Encode(text), strings.Encode(text));
        Assert.Equal(text, arrays.Decode(arrays.Encode(text)));
        string english = TokenizerTestData.English;
        Assert.True(strings.Encode(english).Count < System.Text.Encoding.UTF8.GetByteCount(english), "merges must shorten the byte sequence");
    }

    [Fact]
    public void IgnoreMergesTakesWholeVocabularyEntries()
    {
        // Add "Ġhe" to the vocabulary without a merge that builds it: only ignore_merges can reach it.
        JsonNode root = JsonNode.Parse(File.ReadAllText(QwenStylePath))!;
        root["model"]!["vocab"]!["Ġhe"] = 300;

        Assert.Equal([32, 257], HuggingFaceTokenizer.FromJson(root.ToJsonString(), "plain").Encode(" he"));
        root["model"]!["ignore_merges"] = true;
        Assert.Equal([300], HuggingFaceTokenizer.FromJson(root.ToJsonString(), "ignore").Encode(" he"));
    }

    [Fact]
    public void SplitBehaviorsAndDigitsFollowHuggingFace()
    {
        // DeepSeek V3 style: digits in groups of up to three, isolated, then byte level without regex.
        JsonNode root = JsonNode.Parse(File.ReadAllText(QwenStylePath))!;
        root["pre_tokenizer"] = JsonNode.Parse("""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": false},
              {"type": "Split", "pattern": {"String": "-"}, "behavior": "Removed", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]}
            """);
        root["model"]!["merges"]!.AsArray().Add("1 2");
        root["model"]!["vocab"]!["12"] = 301;
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.FromJson(root.ToJsonString(), "split-test");

        // "1212" -> "121" | "2": the first group merges 1,2 -> 12 then 1; the "-" is removed.
        Assert.Equal([301, 49, 50, 97], tokenizer.Encode("1212-a"));
    }

    public static TheoryData<string, string, string> MalformedFiles => new()
    {
        { """{"model": {"type": "BPE", "merges": []}, "pre_tokenizer": {"type": "ByteLevel"}}""", "model.vocab", "missing" },
        { """{"model": {"vocab": {"a": 0, "b": 1}, "merges": ["a b"]}, "pre_tokenizer": {"type": "ByteLevel"}}""", "model.merges[0]", "'ab'" },
        { """{"model": {"vocab": {"a": 0}, "merges": [["a"]]}, "pre_tokenizer": {"type": "ByteLevel"}}""", "model.merges[0]", "two" },
        { """{"model": {"vocab": {"a": "x"}, "merges": []}}""", "model.vocab[\"a\"]", "integer" },
        { """{"model": {"vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Metaspace"}}""", "pre_tokenizer.type", "Metaspace" },
        { """{"model": {"vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Whitespace"}, "added_tokens": [{"content": "x"}]}""", "added_tokens[0].id", "missing" },
        { """{"model": {"vocab": {"a": 0}, "merges": []}}""", "pre_tokenizer", "ByteLevel" },
        { """{"model": {"type": "WordPiece", "vocab": {"a": 0}}}""", "model.type", "WordPiece" },
        { """{"model": {"vocab": {"a": 0}, "merges": [] """, "(document)", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void MalformedFileErrorNamesTheFileAndTheKey(string json, string key, string detail)
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}", "tokenizer.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            File.WriteAllText(path, json);
            var error = Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizer.FromFile(path));

            Assert.Equal(key, error.Key);
            Assert.Contains(path, error.Message);
            Assert.Contains($"'{key}'", error.Message);
            Assert.Contains(detail, error.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void ConfigNamingAnUnknownEosIsAnError()
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(QwenStylePath))!;
        var error = Assert.Throws<TokenizerFormatException>(() =>
            HuggingFaceTokenizer.FromJson(root.ToJsonString(), "mine.json", new SpecialTokenNames("<|nope|>", null, null)));

        Assert.Equal("eos_token", error.Key);
        Assert.Contains("<|nope|>", error.Message);
        Assert.Contains("mine.json", error.Message);
    }
}
