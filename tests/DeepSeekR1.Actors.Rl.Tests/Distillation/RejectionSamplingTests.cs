using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Distillation;
using DeepSeekR1.Actors.Rl.Evaluation;

namespace DeepSeekR1.Actors.Rl.Tests.Distillation;

/// <summary>Rejection sampling keeps exactly what its filters say, on hand-built completions, and counts every verdict.</summary>
public sealed class RejectionSamplingTests
{
    private const string Good = "<think> 3 + 4 = 7 </think> <answer> 7 </answer>";

    private static SampleResult Sample(string text = Good, bool correct = true, bool formatted = true, FinishReason finish = FinishReason.Stop) =>
        new(text, "7", correct, formatted, text.Length / 3, finish, correct ? "equal" : "not equal", 1.0);

    private static QuestionResult Question(string id, params SampleResult[] samples) =>
        new(id, 1, "What is 3 + 4?", "7", samples, new ConsensusResult("7", 1, samples.Length, true));

    private static readonly RejectionFilters All = RejectionFilters.Defaults;

    public static TheoryData<string, Verdict> Completions() => new()
    {
        { "good", Verdict.Kept },
        { "incorrect", Verdict.Incorrect },
        { "malformed", Verdict.Malformed },
        { "truncated", Verdict.Truncated },
        { "mixed", Verdict.LanguageMixed },
        { "repetitive", Verdict.Repetitive },
        { "mixed outside think", Verdict.Kept },
    };

    private static SampleResult Case(string name) => name switch
    {
        "good" => Sample(),
        "incorrect" => Sample(correct: false),
        "malformed" => Sample(formatted: false),
        "truncated" => Sample(finish: FinishReason.Length),
        // Half the reasoning's words in another script: mixed.
        "mixed" => Sample("<think> first add the units 三加四等于七 then check the carry </think> <answer> 7 </answer>"),
        "repetitive" => Sample("<think> " + string.Concat(Enumerable.Repeat("so the sum is seven now ", 5)) + "</think> <answer> 7 </answer>"),
        // Language mixing is judged on the reasoning only: the answer's words do not count.
        "mixed outside think" => Sample("<think> three plus four is seven </think> <answer> 七 7 </answer>"),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Completions))]
    public void Each_filter_drops_what_it_names_and_nothing_else(string name, Verdict expected) =>
        Assert.Equal(expected, RejectionSampling.Judge(Case(name), All));

    [Fact]
    public void A_filter_switched_off_lets_its_kind_through()
    {
        var off = RejectionFilters.Defaults with {
            RequireCorrect = false, RequireFormat = false, DropTruncated = false, DropLanguageMixing = false, RepeatPhraseWords = 0,
        };
        foreach (var name in new[] { "incorrect", "malformed", "truncated", "mixed", "repetitive" })
            Assert.Equal(Verdict.Kept, RejectionSampling.Judge(Case(name), off));
    }

    [Fact]
    public void The_quality_filters_come_before_duplicates_and_the_quota_and_every_verdict_is_counted()
    {
        var questions = new[]
        {
            Question("q1", Sample(), Sample(Good + " "), Sample(correct: false), Sample("<think> 4 + 3 = 7 </think> <answer> 7 </answer>"),
                Sample("<think> seven </think> <answer> 7 </answer>")),
            Question("q2", Sample(correct: false), Sample(finish: FinishReason.Length)),
        };
        var outcome = RejectionSampling.Select(questions, All with { MaxPerQuestion = 2 });

        Assert.Equal([(0, 0), (0, 3)], outcome.Kept.Select(k => (k.QuestionIndex, k.Sample)));
        Assert.Equal(2, outcome.Counts[Verdict.Kept]);
        Assert.Equal(1, outcome.Counts[Verdict.Duplicate]);      // the same text up to whitespace
        Assert.Equal(1, outcome.Counts[Verdict.OverQuota]);      // the third good one of q1
        Assert.Equal(2, outcome.Counts[Verdict.Incorrect]);
        Assert.Equal(1, outcome.Counts[Verdict.Truncated]);
        Assert.Equal(0, outcome.Counts[Verdict.Malformed]);
        Assert.Equal(7, outcome.Judged);
        Assert.Equal(1, outcome.QuestionsWithAny);
        Assert.Equal(Enum.GetValues<Verdict>().Length, outcome.Counts.Count);
    }

    [Theory]
    [InlineData("a b c a b c a b c", 3, 2, true)]     // "a b c" three times
    [InlineData("a b c a b c a b c", 3, 3, false)]
    [InlineData("a b c d e f", 3, 1, false)]
    [InlineData("a b", 3, 1, false)]                 // shorter than a phrase
    public void A_phrase_said_more_often_than_allowed_is_repetition(string text, int words, int maxRepeats, bool repetitive) =>
        Assert.Equal(repetitive, RejectionSampling.RepeatsAPhrase(text, words, maxRepeats));

    [Fact]
    public void Bad_settings_name_their_key()
    {
        Assert.Equal("max-per-question", Assert.Throws<ArgumentException>(() => (RejectionFilters.Defaults with { MaxPerQuestion = -1 }).Validate()).ParamName);
        Assert.Equal("max-phrase-repeats", Assert.Throws<ArgumentException>(() => (RejectionFilters.Defaults with { MaxPhraseRepeats = 0 }).Validate()).ParamName);
    }
}
