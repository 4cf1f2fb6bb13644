using DeepSeekR1.Actors.Rl.Analysis;

namespace DeepSeekR1.Actors.Rl.Tests.Analysis;

public class SelfEvolutionTests
{
    // One step of a synthetic run: completions of a given length, some reflecting ("wait, let me check"), with the
    // accuracy per level given.
    private static (long, StepAnalysis) Step(long step, int tokens, int reflecting, int of, IReadOnlyDictionary<int, double>? levels = null)
    {
        var completions = new List<CompletionRecord>();
        levels ??= new Dictionary<int, double> { [2] = 0.5 };
        foreach (var (level, accuracy) in levels)
            for (int i = 0; i < of; i++)
            {
                bool reflects = i < reflecting;
                string text = reflects ? "12 + 30 = 42, wait, let me check: 42" : "12 + 30 = 42";
                completions.Add(new CompletionRecord(level, text, tokens, 1, i < accuracy * of));
            }
        return (step, StepAnalysis.Of(completions));
    }

    private static SelfEvolutionFinding Finding(IReadOnlyList<SelfEvolutionFinding> findings, string starts) =>
        findings.Single(f => f.Phenomenon.StartsWith(starts, StringComparison.Ordinal));

    [Fact]
    public void A_run_that_grows_longer_and_reflects_late_shows_the_first_three()
    {
        // 30 steps: length 30 -> 45 tokens; nobody reflects for 20 steps, then half the completions do.
        var steps = Enumerable.Range(0, 30).Select(s => Step(s, 30 + s / 2, reflecting: s < 20 ? 0 : 5, of: 10)).ToArray();
        var findings = SelfEvolution.Assess(steps);

        Assert.True(Finding(findings, "responses grow").Seen);
        Assert.Contains("first 10 vs last 10 steps", Finding(findings, "responses grow").Evidence);
        var reflection = Finding(findings, "reflective words");
        Assert.True(reflection.Seen, reflection.Evidence);
        Assert.Contains("50% of completions reflect", reflection.Evidence);
        var wait = Finding(findings, "\"wait\"");
        Assert.True(wait.Seen, wait.Evidence);
        Assert.Contains("at step 21", wait.Evidence);
        // One level only: the level phenomenon cannot be told.
        var levels = Finding(findings, "the hard levels");
        Assert.Null(levels.Seen);
        Assert.Contains("1 difficulty level", levels.Evidence);
    }

    [Fact]
    public void A_run_without_reflective_words_says_so_and_why()
    {
        var steps = Enumerable.Range(0, 12).Select(s => Step(s, 40, reflecting: 0, of: 4)).ToArray();
        var findings = SelfEvolution.Assess(steps);
        Assert.False(Finding(findings, "responses grow").Seen);   // flat length
        var reflection = Finding(findings, "reflective words");
        Assert.False(reflection.Seen);
        Assert.Contains("no reflective word", reflection.Evidence);
        Assert.False(Finding(findings, "\"wait\"").Seen);
    }

    [Fact]
    public void Wait_used_from_the_start_is_not_a_late_rise()
    {
        var steps = Enumerable.Range(0, 12).Select(s => Step(s, 40, reflecting: 4, of: 4)).ToArray();
        var wait = Finding(SelfEvolution.Assess(steps), "\"wait\"");
        Assert.False(wait.Seen);
        Assert.Contains("not a late rise", wait.Evidence);
    }

    [Fact]
    public void One_noisy_early_step_is_not_the_rise_of_wait()
    {
        // Step 2 alone has a burst of "wait"; the word is really taken up from step 20 on.
        var steps = Enumerable.Range(0, 30).Select(s => Step(s, 40, reflecting: s == 2 ? 1 : s < 20 ? 0 : 5, of: 10)).ToArray();
        var wait = Finding(SelfEvolution.Assess(steps), "\"wait\"");
        Assert.True(wait.Seen, wait.Evidence);
        Assert.Contains("at step 21", wait.Evidence);
        Assert.Contains("5-step trailing mean", wait.Evidence);
        // A burst that lasts is a rise, from where it starts.
        var early = Enumerable.Range(0, 30).Select(s => Step(s, 40, reflecting: s is >= 2 and < 8 ? 3 : s < 20 ? 0 : 5, of: 10)).ToArray();
        var notLate = Finding(SelfEvolution.Assess(early), "\"wait\"");
        Assert.False(notLate.Seen);
        Assert.Contains("not a late rise", notLate.Evidence);
    }

    [Fact]
    public void Hard_levels_catching_up_is_seen_only_when_they_gain_more_than_the_easy_ones()
    {
        IReadOnlyDictionary<int, double> Levels(double easy, double hard) =>
            new Dictionary<int, double> { [1] = easy, [2] = easy, [3] = 0.5, [4] = hard, [5] = hard };
        var catching = Enumerable.Range(0, 30).Select(s => Step(s, 40, 0, 10, s < 15 ? Levels(0.9, 0.2) : Levels(1.0, 0.8))).ToArray();
        var finding = Finding(SelfEvolution.Assess(catching), "the hard levels");
        Assert.True(finding.Seen, finding.Evidence);
        Assert.Contains("level 5 20% -> 80%", finding.Evidence);

        var easyOnly = Enumerable.Range(0, 30).Select(s => Step(s, 40, 0, 10, s < 15 ? Levels(0.2, 0.1) : Levels(0.9, 0.1))).ToArray();
        Assert.False(Finding(SelfEvolution.Assess(easyOnly), "the hard levels").Seen);
    }

    [Fact]
    public void Two_steps_are_too_few_to_tell_anything()
    {
        Assert.All(SelfEvolution.Assess([Step(0, 10, 0, 2), Step(1, 20, 2, 2)]), f => Assert.Null(f.Seen));
    }

    [Fact]
    public void Reflection_on_hard_questions_is_compared_with_the_others_at_the_same_levels()
    {
        // Level 1: 10 plain completions, all right. Level 5: 4 that check (2 right) and 6 plain ones (1 right).
        var completions = new List<CompletionRecord>();
        for (int i = 0; i < 10; i++) completions.Add(new(1, "3 + 4 = 7", 5, 1, true));
        for (int i = 0; i < 4; i++) completions.Add(new(5, "12345 + 1 = 12346, let me check: ...", 20, 1, i < 2));
        for (int i = 0; i < 6; i++) completions.Add(new(5, "12345 + 1 = 12347", 20, 0, i < 1));
        var step = StepAnalysis.Of(completions);
        Assert.Equal(0.5, step.AccuracyWithReflection);
        Assert.Equal(11 / 16.0, step.AccuracyWithoutReflection);      // raw: reflecting looks worse
        Assert.Equal(0.5, step.ReflectionMatched.With);
        Assert.Equal(1 / 6.0, step.ReflectionMatched.Without, 12);    // at level 5: it is better
        var steps = Enumerable.Range(0, 6).Select(s => ((long)s, s < 3 ? StepAnalysis.Of(completions.Take(10)) : step)).ToArray();
        var finding = Finding(SelfEvolution.Assess(steps), "reflective words");
        Assert.Contains("at equal difficulty", finding.Evidence);
        Assert.Contains("50% against 17%, so checking pays", finding.Evidence);
        // No level with both kinds: nothing to match.
        Assert.True(double.IsNaN(StepAnalysis.Of(completions.Take(10)).ReflectionMatched.With));
    }

    [Fact]
    public void A_step_counts_reflecting_completions_and_their_accuracy_apart()
    {
        var step = StepAnalysis.Of([
            new CompletionRecord(1, "wait, let me verify", 5, 1, true),
            new CompletionRecord(1, "Wait. Wrong.", 5, 0, false),
            new CompletionRecord(1, "42", 5, 1, true),
            new CompletionRecord(1, "waiting for nothing", 5, 0, false),   // "waiting" is not the word
        ]);
        Assert.Equal(0.5, step.ReflectionShare);
        Assert.Equal(0.5, step.AccuracyWithReflection);
        Assert.Equal(0.5, step.AccuracyWithoutReflection);
        Assert.True(double.IsNaN(StepAnalysis.Of([new CompletionRecord(1, "42", 1, 1, true)]).AccuracyWithReflection));
    }
}
