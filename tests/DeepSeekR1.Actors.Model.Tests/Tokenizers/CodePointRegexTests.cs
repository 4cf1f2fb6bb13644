using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

/// <summary>Pre-tokenizer patterns see a character outside the BMP as one code point of its own category.</summary>
public class CodePointRegexTests
{
    // Qwen2.5's pre-tokenizer pattern, as its tokenizer.json holds it.
    private const string Qwen = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static string[] Pieces(string pattern, string text) =>
        new CodePointRegex(new Regex(pattern, RegexOptions.CultureInvariant)).MatchedText(text).ToArray();

    [Fact]
    public void Letters_and_digits_outside_the_bmp_are_letters_and_digits()
    {
        // Mathematical bold digit one (U+1D7CF, Nd): the space goes alone and the digit is a \p{N} piece, as in the
        // tokenizers library; read as two surrogates it was " 𝟏" in one piece.
        Assert.Equal([" ", "𝟏"], Pieces(Qwen, " 𝟏"));
        Assert.Equal(["𝟏", "𝟐", "𝟑"], Pieces(Qwen, "𝟏𝟐𝟑"));
        // Mathematical italic x (U+1D465, Ll) joins the letters around it; CJK Extension B (U+20000, Lo) too.
        Assert.Equal([" a𝑥b", " 𠀀𠀁"], Pieces(Qwen, " a𝑥b 𠀀𠀁"));
        // An emoji (U+1F600, So) is neither: it joins the run of other symbols, space included.
        Assert.Equal(["hi", " 😀😀!", "a"], Pieces(@"\p{L}+| ?[^\s\p{L}\p{N}]+|\s+", "hi 😀😀!a"));
    }

    [Fact]
    public void Matches_map_back_to_the_original_text()
    {
        var regex = new CodePointRegex(new Regex(@"\p{L}+", RegexOptions.CultureInvariant));
        // "𝑥" is two UTF-16 units: the second word starts at 4, not 3, and is 4 units long.
        Assert.Equal([(0, 3), (4, 4)], regex.Matches("a𝑥 b𝑥c").ToArray());
        Assert.Equal("a𝑥 b𝑥c", string.Concat(Pieces(@"\p{L}+|\s", "a𝑥 b𝑥c")));
    }

    [Fact]
    public void A_case_insensitive_ascii_literal_never_matches_a_proxy()
    {
        // Mathematical italic small s (U+1D460) is not ASCII 's': "'𝑠" is not the contraction "'s".
        Assert.Equal(["'", "𝑠"], Pieces(@"(?i:'s)|\p{L}+|[^\p{L}]", "'𝑠"));
        Assert.Equal(["'S"], Pieces(@"(?i:'s)|\p{L}+|[^\p{L}]", "'S"));
    }

    [Fact]
    public void A_lone_surrogate_and_a_pattern_with_an_astral_literal_are_matched_as_before()
    {
        // Invalid UTF-16 (a high surrogate with nothing after it) is one character of category Cs.
        Assert.Equal(["a", "\uD835"], Pieces(@"\p{L}+|\p{Cs}", "a\uD835"));
        // A literal emoji in the pattern matches its two UTF-16 units exactly.
        Assert.Equal(["😀", "x"], Pieces("😀|x", "😀x"));
    }
}
