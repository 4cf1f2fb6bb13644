using System.Text.Json;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards.Code;

/// <summary>The code reward on ordinary programs, through the composer as training scores them, and its refusal to start without a sandbox.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CodeRewardsTests(SandboxFixture sandbox)
{
    private static string Completion(string program) => $"<think>add the numbers</think> <answer>\n```python\n{program}\n```\n</answer>";

    [Fact]
    public void A_correct_program_passes_every_test_and_earns_accuracy_plus_format()
    {
        var composer = RewardSets.For(RewardWeights.R1Zero, sandbox.Rewards);

        var scored = composer.Score(SandboxFixture.Add, Completion("def add(a, b):\n    return a + b"));

        Assert.Equal(1.0, scored.Accuracy.Value);
        Assert.Equal("3/3 tests passed", scored.Accuracy.Reason);
        Assert.Equal(1.0, scored.Format.Value);
        Assert.Equal(2.0, scored.Total);
        Assert.True(scored.IsCorrect);
        Assert.Equal("def add(a, b):\n    return a + b", scored.Answer);
    }

    [Fact]
    public void A_wrong_program_fails_with_the_first_failing_test_named()
    {
        var result = sandbox.Rewards.Check("def add(a, b):\n    return a * b", SandboxFixture.Add);

        Assert.Equal(0.0, result.Value);
        Assert.Equal("1/3 tests passed; test 1: wrong result 2", result.Reason);
    }

    [Fact]
    public void The_fraction_option_scores_the_share_of_tests_passed()
    {
        var result = sandbox.Fraction.Check("def add(a, b):\n    return a * b", SandboxFixture.Add);

        Assert.Equal(1.0 / 3, result.Value, 12);
        Assert.Equal(1.0, sandbox.Fraction.Check("def add(a, b):\n    return a + b", SandboxFixture.Add).Value);
    }

    [Fact]
    public void A_syntax_error_is_named_and_nothing_runs()
    {
        var result = sandbox.Rewards.Check("def add(a, b)\n    return a + b", SandboxFixture.Add);

        Assert.Equal(0.0, result.Value);
        Assert.Contains("syntax error", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_program_that_raises_gives_the_error_as_reason()
    {
        var result = sandbox.Rewards.Check("def add(a, b):\n    return a / 0", SandboxFixture.Add);

        Assert.Equal(0.0, result.Value);
        Assert.Contains("ZeroDivisionError", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_answer_scores_zero_without_running_anything()
    {
        var composer = RewardSets.For(RewardWeights.R1Zero, sandbox.Rewards);

        var scored = composer.Score(SandboxFixture.Add, "<think>I would write add</think> def add(a, b): return a + b");

        Assert.Equal(0.0, scored.Accuracy.Value);
        Assert.Equal("no <answer> tag", scored.Accuracy.Reason);
        Assert.Null(scored.Answer);
    }

    [Fact]
    public void Without_a_sandbox_a_code_answer_scores_zero_with_the_reason()
    {
        var scored = RewardSets.For(RewardWeights.R1Zero).Score(SandboxFixture.Add, Completion("def add(a, b):\n    return a + b"));

        Assert.Equal(0.0, scored.Accuracy.Value);
        Assert.Contains("no code sandbox configured", scored.Accuracy.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_tests_in_the_gold_are_named()
    {
        var item = SandboxFixture.Add with { Gold = "add(1, 2) == 3" };

        var result = sandbox.Rewards.Check("def add(a, b):\n    return a + b", item);

        Assert.Equal(0.0, result.Value);
        Assert.Contains("the task's tests are malformed", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expected_value_that_is_not_a_literal_is_blamed_on_the_task()
    {
        var item = SandboxFixture.Add with { Gold = "assert add(1, 2) == int('3')" };

        var result = sandbox.Rewards.Check("def add(a, b):\n    return a + b", item);

        Assert.Equal(0.0, result.Value);
        Assert.Contains("the test's expected value is not a Python literal: int('3')", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bubblewrap_missing_refuses_to_start_and_runs_nothing()
    {
        var error = Assert.Throws<SandboxUnavailableException>(() =>
            CodeRewards.Start(sandbox.Settings with { Bwrap = "/nonexistent/bwrap" }));

        Assert.IsAssignableFrom<NotSupportedException>(error); // the CLI's exit code 3
        Assert.Contains("bubblewrap is not installed at /nonexistent/bwrap", error.Message, StringComparison.Ordinal);
        Assert.Contains("never runs model output outside the sandbox", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bubblewrap_that_does_not_work_refuses_to_start()
    {
        // /usr/bin/false stands in for a bwrap that exists but cannot create its namespaces (exit code 1, no output).
        var error = Assert.Throws<SandboxUnavailableException>(() =>
            CodeRewards.Start(sandbox.Settings with { Bwrap = "/usr/bin/false" }));

        Assert.Contains("bubblewrap does not work here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_out_of_range_name_their_key()
    {
        var error = Assert.Throws<ArgumentException>(() => CodeRewards.Start(sandbox.Settings with { Uid = 0 }));

        Assert.Contains("r1.rewards.code.uid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_reference_solution_of_the_shipped_task_passes_its_tests_and_a_wrong_one_fails()
    {
        string folder = RepositoryPaths.Resolve("data/code") ?? throw new DirectoryNotFoundException("data/code");
        var lines = new[] { "train.jsonl", "test.jsonl" }.SelectMany(f => File.ReadLines(Path.Combine(folder, f))).ToArray();
        var items = TaskCatalog.Get("code").Items(TaskSplit.Train, 0).Concat(TaskCatalog.Get("code").Items(TaskSplit.Test, 0)).ToDictionary(i => i.Id);
        Assert.Equal(40, lines.Length);

        var failures = lines.AsParallel().WithDegreeOfParallelism(sandbox.Settings.MaxParallel).SelectMany(line =>
        {
            using var json = JsonDocument.Parse(line);
            var item = items[json.RootElement.GetProperty("id").GetString()!];
            string solution = json.RootElement.GetProperty("solution").GetString()!;
            var right = sandbox.Rewards.Check(solution, item);
            // The same program with its last line's return value broken must fail: the tests check something.
            var wrong = sandbox.Rewards.Check(solution + "\n_real = " + FunctionName(solution) + "\ndef " + FunctionName(solution) + "(*a):\n    return ('wrong', _real(*a))", item);
            var bad = new List<string>();
            if (right.Value != 1.0) bad.Add($"{item.Id}: reference failed: {right.Reason}");
            if (wrong.Value != 0.0) bad.Add($"{item.Id}: a wrong program passed: {wrong.Reason}");
            return bad;
        }).ToArray();

        Assert.Empty(failures);
        Assert.All(items.Values, i => Assert.True(CodeTests.Parse(i.Gold).Count >= 3, i.Id));
    }

    private static string FunctionName(string solution) => solution["def ".Length..solution.IndexOf('(', StringComparison.Ordinal)];
}
