using DeepSeekR1.Actors.Cli.Terminal;

namespace DeepSeekR1.Actors.Cli.Tests.Terminal;

/// <summary>Progress of long work: a bar with rate and time left on a terminal, the old plain lines elsewhere.</summary>
public class ProgressReporterTests
{
    [Fact]
    public void A_bar_shows_the_share_the_count_the_rate_of_this_process_and_the_time_left()
    {
        // 114 of 200 steps after 20 s, 14 of them done before a resume: 100 steps in 20 s is 5 steps/s, 86 left is 17 s.
        string line = ProgressReporter.Line("sft", "steps", 114, 200, startedAt: 14, TimeSpan.FromSeconds(20), "loss 1.2345", width: 200);
        Assert.Equal("sft [#################-------------]  57% 114/200 steps, 5.00 steps/s, 17s left | loss 1.2345", line);

        Assert.Contains("time left unknown", ProgressReporter.Line("r1 eval", "completions", 0, 10, 0, TimeSpan.Zero, null, 200));
        Assert.Equal(79, ProgressReporter.Line("r1 eval", "completions", 5, 10, 0, TimeSpan.FromSeconds(1), new string('x', 300), 80).Length);
    }

    [Theory]
    [InlineData(0.4, "0s")]
    [InlineData(42, "42s")]
    [InlineData(185, "3m05s")]
    [InlineData(3720, "1h02m")]
    [InlineData(double.PositiveInfinity, "?")]
    public void Durations_read_as_people_write_them(double seconds, string expected) =>
        Assert.Equal(expected, ProgressReporter.Duration(seconds));

    [Fact]
    public void Off_a_terminal_each_report_is_the_callers_plain_line_and_finishing_adds_nothing()
    {
        var log = new StringWriter();
        var progress = new ProgressReporter("sft", "steps", log, bar: false);
        progress.Tick(1, 2);                  // between reports: nothing off a terminal
        progress.Report(1, 2, "step 1/2 loss 2.0");
        progress.Report(2, 2, "step 2/2 loss 1.0");
        progress.Finish();
        Assert.Equal("step 1/2 loss 2.0\nstep 2/2 loss 1.0\n", log.ToString().ReplaceLineEndings("\n"));
        Assert.False(ProgressReporter.IsTerminal(log));
    }

    [Fact]
    public void On_a_terminal_the_bar_is_redrawn_in_place_and_the_last_report_always_draws()
    {
        var screen = new StringWriter();
        var progress = new ProgressReporter("r1 eval", "completions", screen, bar: true, width: 200);
        progress.Report(1, 3, "plain 1", detail: "loss 2.5");
        progress.Tick(2, 3);                 // within the redraw interval: skipped
        progress.Tick(3, 3);                 // the end: drawn whatever the interval, with the last report's detail
        progress.Finish();
        string text = screen.ToString();
        Assert.DoesNotContain("plain", text);
        Assert.Equal(2, text.Split("\r\u001b[2K").Length - 1);
        Assert.Contains("3/3 completions", text);
        Assert.EndsWith("| loss 2.5" + Environment.NewLine, text);
        Assert.EndsWith(Environment.NewLine, text);
    }
}
