using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

public class AnswerExtractorTests
{
    [Theory]
    [InlineData("<think>x</think> <answer>42</answer>", "42", AnswerSource.AnswerTag)]
    [InlineData("<answer> 42 </answer>", "42", AnswerSource.AnswerTag)]
    [InlineData("<answer>1</answer> wait, no <answer>2</answer>", "2", AnswerSource.AnswerTag)]
    [InlineData("<answer>\\boxed{7}</answer>", "\\boxed{7}", AnswerSource.AnswerTag)]
    [InlineData("so the answer is \\boxed{42}.", "42", AnswerSource.Boxed)]
    [InlineData("\\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}", AnswerSource.Boxed)]
    [InlineData("\\boxed{\\{1,2\\}}", "\\{1,2\\}", AnswerSource.Boxed)]
    [InlineData("answer: $\\boxed 5$", "5", AnswerSource.Boxed)]
    [InlineData("\\boxed{3} and a broken \\boxed{4", "3", AnswerSource.Boxed)]
    [InlineData("<answer>unclosed \\boxed{9}", "9", AnswerSource.Boxed)]
    [InlineData("<answer>multi\nline</answer>", "multi\nline", AnswerSource.AnswerTag)]
    public void Finds_the_last_answer(string completion, string expected, AnswerSource source)
    {
        var extraction = AnswerExtractor.Extract(completion);

        Assert.True(extraction.Found, extraction.Reason);
        Assert.Equal(expected, extraction.Answer);
        Assert.Equal(source, extraction.Source);
    }

    [Theory]
    [InlineData("", "empty completion")]
    [InlineData("just text, no answer", "no <answer>")]
    [InlineData("<answer>   </answer>", "empty")]
    [InlineData("\\boxed{}", "empty")]
    [InlineData("\\boxed{never closed", "no <answer>")]
    [InlineData("</answer> before <answer>", "no <answer>")]
    public void Reports_why_there_is_no_answer(string completion, string reasonPart)
    {
        var extraction = AnswerExtractor.Extract(completion);

        Assert.False(extraction.Found);
        Assert.Null(extraction.Answer);
        Assert.Contains(reasonPart, extraction.Reason);
    }

    [Fact]
    public void Rejects_oversized_completions_and_answers()
    {
        var huge = "<answer>1</answer>" + new string('a', RewardLimits.MaxCompletionChars);
        var longAnswer = "<answer>" + new string('1', RewardLimits.MaxAnswerChars + 1) + "</answer>";

        Assert.Contains("completion too long", AnswerExtractor.Extract(huge).Reason);
        Assert.Contains("answer too long", AnswerExtractor.Extract(longAnswer).Reason);
        Assert.False(AnswerExtractor.Extract(longAnswer).Found);
    }
}
