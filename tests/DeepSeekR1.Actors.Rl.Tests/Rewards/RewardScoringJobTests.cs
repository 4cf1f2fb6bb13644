using System.Text.Json;
using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards;

public class RewardScoringJobTests
{
    private static List<JsonElement> RunJob(RewardScoringTask task, string input, out bool anyMalformed)
    {
        var output = new StringWriter();
        anyMalformed = new RewardScoringJob(task).Run(new StringReader(input), output, "samples.jsonl");
        return output.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
    }

    [Fact]
    public void Scores_every_line_in_order_and_reports_a_malformed_middle_line()
    {
        const string input = """
            {"gold": "18", "completion": "<think>9*2</think><answer>$18</answer>"}
            {"gold": "18", "completion": oops}
            {"gold": "\\frac{1}{2}", "completion": "the answer is \\boxed{0.5}"}
            """;

        var lines = RunJob(RewardScoringTask.Math, input, out var anyMalformed);

        Assert.True(anyMalformed);
        Assert.Equal(3, lines.Count);
        Assert.Equal(1, lines[0].GetProperty("line").GetInt32());
        Assert.Equal(1.0, lines[0].GetProperty("accuracy").GetDouble());
        Assert.Equal(1.0, lines[0].GetProperty("format").GetDouble());
        Assert.Equal("$18", lines[0].GetProperty("answer").GetString());
        Assert.False(string.IsNullOrEmpty(lines[0].GetProperty("reason").GetString()));

        Assert.Equal(2, lines[1].GetProperty("line").GetInt32());
        Assert.StartsWith("samples.jsonl:2: invalid JSON", lines[1].GetProperty("error").GetString());
        Assert.False(lines[1].TryGetProperty("accuracy", out _));

        Assert.Equal(1.0, lines[2].GetProperty("accuracy").GetDouble());
        Assert.Equal(0.0, lines[2].GetProperty("format").GetDouble());
    }

    [Fact]
    public void The_summary_counts_the_scored_lines_and_names_one_of_them_as_the_slowest()
    {
        const string input = "{\"gold\": \"1\", \"completion\": \"<answer>1</answer>\"}\n\n{\"gold\": \"2\", \"completion\": \"<answer>3</answer>\"}\n";
        var job = new RewardScoringJob(RewardScoringTask.Math);
        Assert.Null(job.Summary);
        job.Run(new StringReader(input), new StringWriter(), "two.jsonl");
        var summary = job.Summary!;
        Assert.Equal(2, summary.Lines);                 // the blank line is not a line scored
        Assert.Equal(3, summary.SlowestLine);           // the only line after the first
        Assert.InRange(summary.SlowestSeconds + summary.FirstLineSeconds, 0, summary.Seconds);
    }

    [Theory]
    [InlineData("{\"completion\": \"x\"}", "missing field 'gold'")]
    [InlineData("{\"gold\": \"1\"}", "missing field 'completion'")]
    [InlineData("{\"gold\": \"1\", \"completion\": 5}", "field 'completion' must be a string")]
    [InlineData("{\"gold\": [1], \"completion\": \"x\"}", "field 'gold' must be a string")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"gold\": \"1\", \"completion\": \"x\"", "invalid JSON")]
    public void Names_the_problem_of_a_malformed_line(string line, string problem)
    {
        var lines = RunJob(RewardScoringTask.Math, line, out var anyMalformed);

        Assert.True(anyMalformed);
        var error = Assert.Single(lines).GetProperty("error").GetString();
        Assert.StartsWith("samples.jsonl:1: ", error);
        Assert.Contains(problem, error);
    }

    [Fact]
    public void Gsm8k_gold_may_be_the_raw_answer_field()
    {
        const string input = """
            {"gold": "She makes 9 * 2 = $<<9*2=18>>18.\n#### 1,018", "completion": "<think>t</think><answer>1018</answer>"}

            {"gold": 7, "completion": "<think>t</think><answer>7</answer>"}
            {"gold": "#### nothing", "completion": "<think>t</think><answer>7</answer>"}
            """;

        var lines = RunJob(RewardScoringTask.Gsm8k, input, out var anyMalformed);

        Assert.True(anyMalformed);
        Assert.Equal(3, lines.Count);
        Assert.Equal(1.0, lines[0].GetProperty("accuracy").GetDouble());
        Assert.Equal(3, lines[1].GetProperty("line").GetInt32());
        Assert.Equal(1.0, lines[1].GetProperty("accuracy").GetDouble());
        Assert.Contains("samples.jsonl:4:", lines[2].GetProperty("error").GetString());
    }

    [Fact]
    public void A_clean_file_reports_no_malformed_lines()
    {
        const string input = """{"gold": "2", "completion": "<think>1+1</think><answer>3</answer>"}""";

        var lines = RunJob(RewardScoringTask.Math, input, out var anyMalformed);

        Assert.False(anyMalformed);
        Assert.Equal(0.0, Assert.Single(lines).GetProperty("accuracy").GetDouble());
    }

    [Theory]
    [InlineData("math", true, RewardScoringTask.Math)]
    [InlineData("GSM8K", true, RewardScoringTask.Gsm8k)]
    [InlineData("countdown", false, RewardScoringTask.Math)]
    public void Task_names_parse_as_the_cli_spells_them(string name, bool ok, RewardScoringTask expected)
    {
        Assert.Equal(ok, RewardScoringJob.TryParseTask(name, out var task));
        Assert.Equal(expected, task);
    }
}
