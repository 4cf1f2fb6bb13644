using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Evaluation;

public class EvalSummaryTests
{
    private static SampleResult Sample(bool correct, bool formatted = true, int tokens = 10, FinishReason finish = FinishReason.Stop, string? answer = "x") =>
        new("text", answer, correct, formatted, tokens, finish, "reason", 1.0);

    private static QuestionResult Question(int level, bool consensus, params SampleResult[] samples) =>
        new($"q{level}", level, "question", "gold", samples, new ConsensusResult("x", 1, samples.Length, consensus));

    // Level 1: 2 of 4 correct, vote right. Level 1: 0 of 4, vote wrong. Level 3: 4 of 4, vote right.
    private static readonly QuestionResult[] Questions =
    [
        Question(1, true, Sample(true), Sample(true), Sample(false, formatted: false), Sample(false, tokens: 30, finish: FinishReason.Length, answer: null)),
        Question(1, false, Sample(false), Sample(false), Sample(false), Sample(false, formatted: false, answer: null)),
        Question(3, true, Sample(true, tokens: 2), Sample(true, tokens: 2), Sample(true, tokens: 2), Sample(true, tokens: 2)),
    ];

    [Fact]
    public void Summarises_pass_at_1_cons_at_k_and_rates()
    {
        var all = EvalSummary.Of(Questions);
        Assert.Equal(3, all.Questions);
        Assert.Equal(12, all.Completions);
        Assert.Equal(6, all.Correct);
        Assert.Equal((0.5 + 0 + 1) / 3, all.PassAt1, 12);
        Assert.Equal(2.0 / 3, all.PassAtK, 12);
        Assert.Equal(2.0 / 3, all.ConsAtK, 12);
        Assert.Equal(10.0 / 12, all.FormatRate, 12);
        Assert.Equal(10.0 / 12, all.AnswerRate, 12);
        Assert.Equal(1.0 / 12, all.TruncatedRate, 12);
        Assert.Equal((10 * 3 + 30 + 10 * 4 + 2 * 4) / 12.0, all.MeanCompletionTokens, 12);
    }

    [Fact]
    public void The_pass_at_k_curve_holds_the_unbiased_estimate_for_every_k()
    {
        var curve = EvalSummary.Of(Questions).PassAtEachK;
        Assert.Equal(4, curve.Count);
        Assert.Equal((0.5 + 0 + 1) / 3, curve[0], 12);
        Assert.Equal((5.0 / 6 + 0 + 1) / 3, curve[1], 12);   // 2 of 4 right: 1 - C(2,2)/C(4,2)
        Assert.Equal((1 + 0 + 1) / 3.0, curve[3], 12);
        Assert.Equal(EvalSummary.Of(Questions).PassAtK, curve[^1], 12);
        Assert.Empty(EvalSummary.Of([]).PassAtEachK);
    }

    [Fact]
    public void The_report_breaks_down_by_subject_when_questions_have_one()
    {
        var withSubjects = Questions.Select((q, i) => q with { Subject = i == 1 ? "Geometry" : "Algebra" }).ToArray();
        var report = EvalReport.Of("math500", TaskSplit.Test, 4, withSubjects);
        Assert.Equal(["Algebra", "Geometry"], report.BySubject!.Keys);
        Assert.Equal(2, report.BySubject["Algebra"].Questions);
        Assert.Equal(0.0, report.BySubject["Geometry"].PassAt1);
        var json = JsonNode.Parse(report.ToJson().ToJsonString())!.AsObject();
        Assert.Equal(2, (int?)json["by_subject"]!["Algebra"]!["questions"]);
        Assert.Empty(EvalReport.Of("arithmetic", TaskSplit.Test, 4, Questions).BySubject!);
    }

    [Fact]
    public void An_empty_summary_is_all_zeros()
    {
        var none = EvalSummary.Of([]);
        Assert.Equal(new EvalSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), none);
    }

    [Fact]
    public void The_report_breaks_down_by_level_and_writes_the_documented_json()
    {
        var report = EvalReport.Of("arithmetic", TaskSplit.Test, 4, Questions);
        Assert.Equal([1, 3], report.ByLevel.Keys);
        Assert.Equal(0.25, report.ByLevel[1].PassAt1, 12);
        Assert.Equal(0.5, report.ByLevel[1].ConsAtK, 12);
        Assert.Equal(1.0, report.ByLevel[3].PassAt1, 12);

        var json = JsonNode.Parse(report.ToJson().ToJsonString())!.AsObject();
        Assert.Equal("arithmetic", (string?)json["task"]);
        Assert.Equal("test", (string?)json["split"]);
        Assert.Equal(4, (int?)json["samples"]);
        Assert.Equal(3, (int?)json["questions"]);
        Assert.Equal(report.Overall.PassAt1, (double?)json["pass_at_1"]);
        Assert.Equal(report.Overall.ConsAtK, (double?)json["cons_at_k"]);
        Assert.Equal(report.Overall.FormatRate, (double?)json["format_rate"]);
        var levels = json["by_level"]!.AsObject();
        Assert.Equal(["1", "3"], levels.Select(l => l.Key));
        Assert.Equal(2, (int?)levels["1"]!["questions"]);
        Assert.Equal(0.25, (double?)levels["1"]!["pass_at_1"]);
    }

    [Fact]
    public void A_question_counts_its_correct_samples()
    {
        Assert.Equal(2, Questions[0].Correct);
        Assert.Equal(0.5, Questions[0].PassAt1);
    }
}
