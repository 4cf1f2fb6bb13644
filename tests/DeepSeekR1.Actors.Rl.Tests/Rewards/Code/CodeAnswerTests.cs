using DeepSeekR1.Actors.Rl.Rewards.Code;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards.Code;

/// <summary>How the program is read out of a completion, hostile Markdown fences included (no sandbox needed).</summary>
public class CodeAnswerTests
{
    [Theory]
    [InlineData("<answer>\n```python\nx = 1\n```\n</answer>", "x = 1")]
    [InlineData("<answer>\n```\nx = 1\n```\n</answer>", "x = 1")]
    [InlineData("<answer>```py\nx = 1\n```</answer>", "x = 1")]
    [InlineData("<answer>\nx = 1\ny = 2\n</answer>", "\nx = 1\ny = 2\n")]
    [InlineData("<answer>```python\nold = 1\n```</answer> then <answer>```python\nnew = 2\n```</answer>", "new = 2")]
    [InlineData("<answer>```python\nfirst = 1\n```\ntext\n```python\nsecond = 2\n```</answer>", "second = 2")]
    [InlineData("<answer>````python\ns = '```'\n````</answer>", "s = '```'")]
    public void The_program_is_the_last_fenced_block_of_the_last_answer_or_the_whole_answer(string completion, string program)
    {
        var extraction = CodeAnswer.Extract(completion);

        Assert.Equal(program, extraction.Answer);
    }

    [Theory]
    [InlineData(null, "empty completion")]
    [InlineData("def f(): pass", "no <answer> tag")]
    [InlineData("<answer>def f(): pass", "no <answer> tag")]
    [InlineData("<answer>   </answer>", "last <answer> tag (no code fence) is empty")]
    [InlineData("<answer>```python\nx = 1\n</answer>", "unclosed code fence in the answer")]
    [InlineData("<answer>```python\nx = 1\n```\n```\ny = 2\n</answer>", "unclosed code fence in the answer")]
    [InlineData("<answer>```bash\nrm -rf /\n```</answer>", "the last code block is 'bash', not Python")]
    [InlineData("<answer>```python\n```</answer>", "last fenced block of the last <answer> tag is empty")]
    public void No_program_is_run_from_a_missing_or_ambiguous_answer(string? completion, string reason)
    {
        var extraction = CodeAnswer.Extract(completion);

        Assert.Null(extraction.Answer);
        Assert.Equal(reason, extraction.Reason);
    }

    [Fact]
    public void A_closing_fence_must_be_as_long_as_the_opening_one_and_bare()
    {
        // The ``` inside the four-backtick block and the ```python line do not close it.
        var extraction = CodeAnswer.Extract("<answer>````\na = 1\n```python\nb = 2\n```\n````</answer>");

        Assert.Equal("a = 1\n```python\nb = 2\n```", extraction.Answer);
    }

    [Fact]
    public void An_oversized_program_is_refused()
    {
        var extraction = CodeAnswer.Extract("<answer>" + new string('#', CodeAnswer.MaxProgramChars + 1) + "</answer>");

        Assert.Null(extraction.Answer);
        Assert.StartsWith("program too long", extraction.Reason, StringComparison.Ordinal);
    }
}
