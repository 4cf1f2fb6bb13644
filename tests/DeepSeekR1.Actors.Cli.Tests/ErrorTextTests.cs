using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Cli.Tests;

public class ErrorTextTests
{
    [Fact]
    public void A_native_message_keeps_its_first_line_and_drops_the_cpp_backtrace()
    {
        var e = new InvalidOperationException("element 0 of tensors does not require grad\nException raised from run_backward at autograd.cpp:104:\nframe #0: c10::Error::Error");
        Assert.Equal("element 0 of tensors does not require grad (--verbose shows where)", ErrorText.Describe(e, verbose: false));
        Assert.Contains("frame #0", ErrorText.Describe(e, verbose: true));
    }

    [Fact]
    public void A_bad_data_line_is_bad_input_and_inner_messages_are_kept_once()
    {
        var line = new DatasetFormatException("/d/qa.jsonl", 3, "answer", "missing");
        Assert.True(ErrorText.IsBadInput(line));
        var wrapped = new AggregateException(new IOException("reading the task", line));
        Assert.Equal("One or more errors occurred. (reading the task): /d/qa.jsonl:3: key 'answer': missing (--verbose shows where)",
            ErrorText.Describe(wrapped, verbose: false));
    }

    [Fact]
    public void The_parameter_name_dotnet_appends_is_not_shown()
    {
        var inner = new ArgumentException("r1.grpo.steps must be positive", "steps");
        Assert.Equal("r1.grpo.steps must be positive", new DeepSeekR1.Actors.Configuration.ConfigException(inner.Message).Message);
        Assert.Equal("r1.grpo.steps must be positive (--verbose shows where)", ErrorText.Describe(inner, verbose: false));
    }
}
