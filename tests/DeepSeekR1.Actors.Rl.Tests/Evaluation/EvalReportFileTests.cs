using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Evaluation;

/// <summary>A kept evaluation comes back with the same figures, and only under the fingerprint it was saved with.</summary>
public sealed class EvalReportFileTests : IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-evalfile-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SampleResult Sample(bool correct, string answer) =>
        new($"<think> x </think> <answer> {answer} </answer>", answer, correct, true, 9, correct ? FinishReason.Stop : FinishReason.Length, "r", 1.0);

    private static EvalReport Report() => EvalReport.Of("arithmetic", TaskSplit.Test, 2,
    [
        new QuestionResult("q1", 1, "What is 1 + 1?", "2", [Sample(true, "2"), Sample(false, "3")], new ConsensusResult("2", 1, 2, true)),
        new QuestionResult("q2", 2, "What is 5 - 7?", "-2", [Sample(false, "2"), Sample(false, "12")], new ConsensusResult("2", 1, 2, false), "algebra"),
    ]);

    [Fact]
    public void A_saved_report_loads_with_every_figure_and_question_unchanged()
    {
        string path = Path.Combine(folder, "eval-before.json");
        var report = Report();
        EvalReportFile.Save(path, report, "fp");
        var loaded = EvalReportFile.Load(path, "fp");
        Assert.NotNull(loaded);
        Assert.Equal(report.ToJson().ToJsonString(), loaded.ToJson().ToJsonString());
        Assert.Equal(report.Questions, loaded.Questions, (a, b) => a.Id == b.Id && a.Samples.SequenceEqual(b.Samples) && a.Consensus == b.Consensus && a.Subject == b.Subject);
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public void Another_fingerprint_a_missing_file_or_a_damaged_one_gives_nothing_to_reuse()
    {
        string path = Path.Combine(folder, "eval-before.json");
        Assert.Null(EvalReportFile.Load(path, "fp"));
        EvalReportFile.Save(path, Report(), "fp");
        Assert.Null(EvalReportFile.Load(path, "other settings"));
        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        Assert.Null(EvalReportFile.Load(path, "fp"));
    }
}
