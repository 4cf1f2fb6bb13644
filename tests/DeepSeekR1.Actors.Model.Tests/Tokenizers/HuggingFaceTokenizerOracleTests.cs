using System.IO.Compression;
using System.Text;
using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

/// <summary>
/// Qwen2.5's real tokenizer.json (Fixtures/qwen2.5, SOURCE.md says where it came from), encoded by this project's
/// loader and by Hugging Face's own Rust tokenizer (the Tokenizers.DotNet package, referenced by this test project only):
/// the ids must be identical on a seeded fuzz corpus that mixes ASCII, other scripts, whitespace runs, Qwen's special
/// tokens and characters outside the Basic Multilingual Plane (math letters and digits, CJK Extension B, emoji).
/// </summary>
public sealed class HuggingFaceTokenizerOracleTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("r1-qwen-tokenizer-").FullName;
    private readonly HuggingFaceTokenizer ours;
    private readonly global::Tokenizers.DotNet.Tokenizer oracle;

    public HuggingFaceTokenizerOracleTests()
    {
        string fixture = TokenizerTestData.FixtureDirectory("qwen2.5");
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(fixture, "tokenizer.json.gz")), CompressionMode.Decompress))
        using (var json = File.Create(Path.Combine(folder, "tokenizer.json")))
            gz.CopyTo(json);
        File.Copy(Path.Combine(fixture, "tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"));
        ours = HuggingFaceTokenizer.FromDirectory(folder);
        oracle = new global::Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(folder, "tokenizer.json"));
    }

    // Pieces the corpus is made of; each string joins 1 to 12 of them at random.
    private static readonly string[] Fragments =
    [
        "the", "The", " quick", " brown", "x", "I'm", "don't", "'s", "'LL", "'ve", "42", " 3.14", "1234567", "+", "-", " * ", "/",
        "=", "(", ")", "{", "}", "\\frac{1}{2}", "$", "?", "!", ",", ".", ":", ";", "\"", "'", "<", ">", "&", "#", "@", "_", "`",
        " ", "  ", "   ", "\n", "\n\n", "\t", "\r\n", " \n", "\u00A0", "\u3000", "\u2003",
        "é", "naïve", "Ж", "Привет", "中文", "数学", "العربية", "ß", "Ω", "ﬁ", "e\u0301", "한국어", "ไทย", "½", "²", "Ⅻ", "٣", "①",
        "𝑥", "𝑦", "𝒜", "𝔸", "𝟏", "𝟐𝟑", "𝟘", "𠀀", "𠀁𠀂", "😀", "👍🏽", "👨\u200D👩\u200D👧", "🇯🇵", "𓀀", "𐍈", "𝔘𝔫𝔦", "𝄞",
        "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<tool_call>", "∑", "≤", "→", "∀x∈ℝ", "\\(x^2\\)",
    ];

    // Strings named in the issue that filed this (tokenizer outside the BMP), kept whatever the seed draws.
    private static readonly string[] Named = [" 𝟏", "𝟏𝟐𝟑", "𝑥<|im_start|>", "Let 𝑥 = 𝟐.", "𠀀 𠀁", "a😀b", " 😀 😀", "x\u00A0𝑦"];

    private static IEnumerable<string> Corpus(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var text = new StringBuilder();
            for (int n = random.Next(1, 13); n > 0; n--) text.Append(Fragments[random.Next(Fragments.Length)]);
            yield return text.ToString();
        }
    }

    [Fact]
    public void Ids_match_hugging_faces_tokenizer_on_a_seeded_fuzz_corpus_with_text_outside_the_bmp()
    {
        var texts = Named.Concat(Corpus(1500, seed: 20261204)).ToArray();
        Assert.Contains(texts, t => t.Any(char.IsSurrogate));
        var mismatches = new List<string>();
        foreach (string text in texts)
        {
            int[] expected = oracle.Encode(text).Select(id => (int)id).ToArray();
            int[] actual = ours.Encode(text).ToArray();
            if (!expected.SequenceEqual(actual))
                mismatches.Add($"{Escape(text)}: hf [{string.Join(' ', expected)}], ours [{string.Join(' ', actual)}]");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {texts.Length} strings differ:\n{string.Join('\n', mismatches.Take(10))}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_digits_pre_tokenizer_splits_numbers_as_hugging_face_does(bool individualDigits)
    {
        // Qwen's tokenizer with a Digits step in front of its pre-tokenizer (DeepSeek's older tokenizers have one).
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer.json")))!;
        var steps = root["pre_tokenizer"]!["pretokenizers"]!.AsArray();
        steps.Insert(0, new System.Text.Json.Nodes.JsonObject { ["type"] = "Digits", ["individual_digits"] = individualDigits });
        string variant = Path.Combine(folder, $"digits-{individualDigits}");
        Directory.CreateDirectory(variant);
        File.WriteAllText(Path.Combine(variant, "tokenizer.json"), root.ToJsonString());
        var mine = HuggingFaceTokenizer.FromDirectory(variant);
        using var theirs = new global::Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(variant, "tokenizer.json"));
        string[] texts = ["12345", "x²+y²", "½ of 30", "٣٤٥ and 𝟏𝟐", "①② Ⅻ", "3.14159", "a1b22c333", .. Corpus(300, seed: 7)];
        foreach (string text in texts)
            Assert.True(theirs.Encode(text).Select(id => (int)id).SequenceEqual(mine.Encode(text)), $"{Escape(text)} differs");
    }

    private static string Escape(string text) =>
        string.Concat(text.EnumerateRunes().Select(r => r.Value is < 0x20 or > 0x7E ? $"\\u{{{r.Value:X}}}" : r.ToString()));

    public void Dispose()
    {
        oracle.Dispose();
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
    }
}
