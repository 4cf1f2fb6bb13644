using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

public class FormatRewardTests
{
    [Theory]
    [InlineData("<think>reasoning</think><answer>42</answer>")]
    [InlineData("<think> reasoning </think> <answer> 42 </answer>")]
    [InlineData("  \n<think>\nstep 1\nstep 2\n</think>\n<answer>\n42\n</answer>\n  ")]
    [InlineData("<think></think><answer></answer>")]
    [InlineData("<think>a < b and c > d</think><answer>x</answer>")]
    public void Well_formed_completions_score_one(string completion)
    {
        var result = FormatReward.Score(completion);

        Assert.Equal(1.0, result.Value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("42", "<think> appears 0 times")]
    [InlineData("<answer>42</answer>", "<think> appears 0 times")]
    [InlineData("<think>r</think>", "<answer> appears 0 times")]
    [InlineData("<think>r</think><answer>42", "</answer> appears 0 times")]
    [InlineData("Sure! <think>r</think><answer>42</answer>", "text before <think>")]
    [InlineData("<think>r</think> so <answer>42</answer>", "text between")]
    [InlineData("<think>r</think><answer>42</answer> done", "text after")]
    [InlineData("<answer>42</answer><think>r</think>", "out of order")]
    [InlineData("<think>r</think><think>s</think><answer>42</answer>", "appears 2 times")]
    [InlineData("<think>r</think><answer>1</answer><answer>2</answer>", "appears 2 times")]
    [InlineData("<think>r <answer>1</answer></think><answer>2</answer>", "appears 2 times")]
    [InlineData("</think><think>r<answer>42</answer>", "out of order")]
    [InlineData("<THINK>r</THINK><ANSWER>1</ANSWER>", "appears 0 times")]
    [InlineData("<think>r</think><answer>42</answer><", "text after")]
    public void Malformed_completions_score_zero_with_the_problem(string completion, string reasonPart)
    {
        var result = FormatReward.Score(completion);

        Assert.Equal(0.0, result.Value);
        Assert.Contains(reasonPart, result.Reason);
    }

    [Theory]
    [InlineData("reasoning</think><answer>42</answer>", 1.0)]
    [InlineData("\nreasoning\n</think>\n<answer>42</answer>\n", 1.0)]
    [InlineData("<think>reasoning</think><answer>42</answer>", 0.0)]
    [InlineData("reasoning<answer>42</answer>", 0.0)]
    [InlineData("<answer>42</answer></think>", 0.0)]
    public void With_the_think_tag_in_the_prompt_the_completion_must_not_repeat_it(string completion, double expected)
    {
        Assert.Equal(expected, FormatReward.Score(completion, thinkTagInPrompt: true).Value);
    }

    [Fact]
    public void Oversized_completions_score_zero()
    {
        var completion = "<think>" + new string('a', RewardLimits.MaxCompletionChars) + "</think><answer>1</answer>";

        Assert.Contains("too long", FormatReward.Score(completion).Reason);
    }

    [Theory]
    [InlineData("<think>abc</think><answer>1</answer>", false, "abc")]
    [InlineData("abc</think><answer>1</answer>", true, "abc")]
    [InlineData("abc</think><answer>1</answer>", false, null)]
    [InlineData("<answer>1</answer>", false, null)]
    public void Think_content_is_the_chain_of_thought(string completion, bool inPrompt, string? expected)
    {
        Assert.Equal(expected, FormatReward.ThinkContent(completion, inPrompt));
    }
}
