using System.Globalization;
using DeepSeekR1.Actors.Cli.Replay;

namespace DeepSeekR1.Actors.Cli.Tests.Replay;

public class ReplayWritersTests
{
    // Three steps: accuracy 0.1 -> 0.5 -> 0.6; "wait" appears from step 2 on; level 3 only in step 3.
    private static SyntheticRun Run() => new SyntheticRun()
        .Step(0, 0.1, null, (1, [("<think>so 2</think><answer>2</answer>", 100, true), ("<think>no</think><answer>3</answer>", 100, false)]))
        .Step(1, 0.5, 0.02, (1, [("<think>Wait, but check.</think><answer>2</answer>", 200, true), ("<think>wait</think><answer>2</answer>", 200, true)]))
        .Step(2, 0.6, 0.03, (1, [("<think>Wait. Wait.</think><answer>2</answer>", 250, true), ("x", 250, false)]),
                            (3, [("<think>first add, 然后检查一下结果 then answer</think><answer>2</answer>", 250, true), ("y", 250, false)]))
        .Finish(3);

    [Fact]
    public void Metrics_csv_has_a_row_per_step_in_invariant_culture_with_empty_cells_for_missing_values()
    {
        var steps = Run().Projection.Steps();
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");   // a decimal comma must not leak into the CSV
        string csv;
        try
        {
            var writer = new StringWriter();
            MetricsCsv.Write(writer, steps);
            csv = writer.ToString();
        }
        finally { CultureInfo.CurrentCulture = previous; }

        var lines = csv.TrimEnd('\n', '\r').Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToArray();
        var header = lines[0];
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Equal(header.Length, l.Length));
        string Cell(int row, string column) => lines[row][Array.IndexOf(header, column)];

        Assert.Equal(["1", "2", "3"], lines.Skip(1).Select(l => l[0]));
        Assert.Equal("0.1", Cell(1, "accuracy"));
        Assert.Equal("", Cell(1, "kl"));                   // no reference model: no KL, not zero
        Assert.Equal("0.02", Cell(2, "kl"));
        Assert.Equal("0.03", Cell(1, "clip_fraction"));     // low + high
        Assert.Equal("0", Cell(1, "reflective_words"));
        // Step 2: "Wait", "but", "check", "wait" = 4 words in 400 tokens = 10 per 1,000; "wait" 2 = 5.
        Assert.Equal("10", Cell(2, "reflective_words"));
        Assert.Equal("5", Cell(2, "word_wait"));
        Assert.Equal("2.5", Cell(2, "word_but"));
        // Step 3: 2 x "Wait" in 1,000 tokens; one chain of thought of four mixes scripts.
        Assert.Equal("2", Cell(3, "word_wait"));
        Assert.Equal("0.25", Cell(3, "language_mixing"));
        Assert.Equal("1000", Cell(3, "completion_tokens"));
        Assert.Equal("10", Cell(3, "response_tokens_mean"));  // the learner's journaled value, which a real run keeps equal to the completions'
        Assert.Equal("4", Cell(3, "completions"));
        Assert.Equal("18", Cell(3, "wall_seconds"));       // hand-written events are one second apart
    }

    [Fact]
    public void Accuracy_by_level_has_levels_1_to_5_and_empty_cells_for_levels_a_step_did_not_have()
    {
        var writer = new StringWriter();
        LevelAccuracyCsv.Write(writer, Run().Projection.Steps());
        Assert.Equal(
            "step,level_1,level_2,level_3,level_4,level_5\n1,0.5,,,,\n2,1,,,,\n3,0.5,,0.5,,\n",
            writer.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_report_gives_first_and_last_values_the_change_and_the_largest_step_to_step_change()
    {
        var run = Run();
        var writer = new StringWriter();
        ReplayReport.Write(writer, "syn", run.Projection, run.Projection.Steps());
        string report = writer.ToString();
        Assert.Contains("State: finished; 3 steps applied", report);
        Assert.Contains("| accuracy | 0.1 (step 1) | 0.6 (step 3) | +0.5 | 6x | +0.4 at step 2 |", report);
        Assert.Contains("| KL to reference | 0.02 (step 2) | 0.03 (step 3) | +0.01 | 1.5x | +0.01 at step 3 |", report);
        Assert.Contains("| \"wait\" per 1k tokens | 0 (step 1) | 2 (step 3) | +2 |  | +5 at step 2 |", report);
        Assert.Contains("| accuracy, level 3 | 0.5 (step 3) | 0.5 (step 3) | 0 | 1x |  |", report);
        Assert.DoesNotContain("level 2", report);
        foreach (var chart in ReplayCharts.All) Assert.Contains($"![{chart.Title}]({chart.FileName})", report);
    }

    [Fact]
    public void The_report_states_the_held_out_pass_at_1_before_and_after_when_train_kept_them()
    {
        static Rl.Evaluation.SampleResult Sample(bool correct) =>
            new("<answer> 2 </answer>", "2", correct, true, 5, Model.Sampling.FinishReason.Stop, "r", 1.0);
        var before = Rl.Evaluation.EvalReport.Of("arithmetic", Rl.Tasks.TaskSplit.Test, 2,
            [new Rl.Evaluation.QuestionResult("q", 1, "1+1?", "2", [Sample(true), Sample(false)], new Rl.Evaluation.ConsensusResult("2", 1, 2, true))]);
        var after = Rl.Evaluation.EvalReport.Of("arithmetic", Rl.Tasks.TaskSplit.Test, 2,
            [new Rl.Evaluation.QuestionResult("q", 1, "1+1?", "2", [Sample(true), Sample(true)], new Rl.Evaluation.ConsensusResult("2", 2, 2, true))]);
        var run = Run();
        var writer = new StringWriter();
        ReplayReport.Write(writer, "syn", run.Projection, run.Projection.Steps(), new HeldOut(before, after));
        Assert.Contains("before 50.0% (1 questions x 2), after 100.0% (1 questions x 2)", writer.ToString());

        var none = new StringWriter();
        ReplayReport.Write(none, "syn", run.Projection, run.Projection.Steps(), new HeldOut(null, null));
        Assert.DoesNotContain("Held-out", none.ToString());
    }

    [Fact]
    public void The_output_folder_gets_both_csvs_four_png_charts_and_the_report()
    {
        string dir = Path.Combine(Path.GetTempPath(), "r1-replay-" + Guid.NewGuid().ToString("N"));
        try
        {
            var steps = ReplayOutput.Write(dir, "syn", Run().Projection);
            Assert.Equal(3, steps.Count);
            Assert.Equal(
                ["accuracy_by_level.csv", "accuracy_by_level.png", "accuracy_reward.png", "metrics.csv", "reflective_words.png", "report.md", "response_length.png"],
                Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            foreach (var chart in ReplayCharts.All)
            {
                byte[] png = File.ReadAllBytes(Path.Combine(dir, chart.FileName));
                Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
                Assert.True(png.Length > 5_000, $"{chart.FileName} is only {png.Length} bytes");
            }
            // A refresh (as --follow does) replaces the files in place.
            ReplayOutput.Write(dir, "syn", Run().Projection);
            Assert.Equal(7, Directory.GetFiles(dir).Length);
            Assert.Empty(Directory.GetDirectories(dir));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Smoothing_is_a_trailing_mean_that_starts_with_the_first_point()
    {
        Assert.Equal([1.0, 2.0, 3.0, 5.0, 7.0], ReplayCharts.TrailingMean([1, 3, 5, 7, 9], 3));
        Assert.Equal([1.0, 3.0, 5.0], ReplayCharts.TrailingMean([1, 3, 5], 1));
        Assert.Empty(ReplayCharts.TrailingMean([], 5));
    }

    [Fact]
    public void Smoothed_charts_draw_the_mean_over_the_faded_raw_curve()
    {
        string plain = Path.Combine(Path.GetTempPath(), "r1-replay-" + Guid.NewGuid().ToString("N"));
        string smooth = Path.Combine(Path.GetTempPath(), "r1-replay-" + Guid.NewGuid().ToString("N"));
        try
        {
            ReplayOutput.Write(plain, "syn", Run().Projection);
            ReplayOutput.Write(smooth, "syn", Run().Projection, chartSmoothing: 2);
            // Same data, another picture; the CSVs (raw values) are byte for byte the same.
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(plain, "response_length.png")), File.ReadAllBytes(Path.Combine(smooth, "response_length.png")));
            Assert.Equal(File.ReadAllText(Path.Combine(plain, "metrics.csv")), File.ReadAllText(Path.Combine(smooth, "metrics.csv")));
            Assert.Throws<ArgumentOutOfRangeException>(() => ReplayCharts.Write(smooth, Run().Projection.Steps(), "syn", smoothing: 0));
        }
        finally
        {
            Directory.Delete(plain, recursive: true);
            Directory.Delete(smooth, recursive: true);
        }
    }

    [Fact]
    public void A_run_without_applied_steps_writes_headers_and_says_so_in_the_report()
    {
        var run = new SyntheticRun();
        string dir = Path.Combine(Path.GetTempPath(), "r1-replay-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Empty(ReplayOutput.Write(dir, "syn", run.Projection));
            Assert.Single(File.ReadAllLines(Path.Combine(dir, "metrics.csv")));
            Assert.Contains("No step has been applied yet.", File.ReadAllText(Path.Combine(dir, "report.md")));
            Assert.Contains("State: running;", File.ReadAllText(Path.Combine(dir, "report.md")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
