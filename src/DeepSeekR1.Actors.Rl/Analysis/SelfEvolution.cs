using System.Globalization;

namespace DeepSeekR1.Actors.Rl.Analysis;

/// <summary>One of the paper's self-evolution phenomena, as one run shows it or does not.</summary>
/// <param name="Phenomenon">What the paper reports, in a few words.</param>
/// <param name="Seen">True when this run shows it, false when it does not, null when the run cannot tell (too few steps, one level).</param>
/// <param name="Evidence">The numbers behind the verdict, in words.</param>
public sealed record SelfEvolutionFinding(string Phenomenon, bool? Seen, string Evidence);

/// <summary>
/// Whether a run shows what DeepSeek-R1-Zero's training showed (the paper's section on self-evolution): responses grow
/// longer; reflective words grow several-fold; "wait" is nearly absent early and rises late; the hard levels climb while
/// the easy ones saturate. Each is judged by comparing the first and the last steps of the run (ten each, fewer in a
/// short run), with a stated threshold, and said plainly when it is not seen. Pure: from the replay's per-step analyses.
/// </summary>
public static class SelfEvolution
{
    /// <summary>Growth that counts as "longer": the last steps' mean length at least this times the first steps'.</summary>
    public const double LengthGrowth = 1.10;

    /// <summary>Growth that counts as "several-fold" for the reflective words.</summary>
    public const double ReflectionGrowth = 2.0;

    /// <summary>"wait" per 1,000 completion tokens above which it counts as used.</summary>
    public const double WaitThresholdPer1000 = 1.0;

    /// <summary>
    /// Steps in the trailing mean the "wait" curve is judged on: one step holds a few thousand completion tokens, so a
    /// word used a few times per 1,000 tokens crosses any threshold by chance in single steps long before it is used.
    /// </summary>
    public const int WaitSmoothing = 5;

    /// <summary>Steps compared at each end of the run, at most.</summary>
    public const int Window = 10;

    /// <summary>The four findings for <paramref name="steps"/> (in step order, each with its 0-based step).</summary>
    public static IReadOnlyList<SelfEvolutionFinding> Assess(IReadOnlyList<(long Step, StepAnalysis Analysis)> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        int n = steps.Count;
        int w = Math.Min(Window, n / 3);
        if (w < 1)
        {
            const string few = "too few steps to compare the start of the run with its end (at least 3 are needed)";
            return [new(Length, null, few), new(Reflection, null, few), new(Wait, null, few), new(Levels, null, few)];
        }
        var first = steps.Take(w).Select(s => s.Analysis).ToArray();
        var last = steps.Skip(n - w).Select(s => s.Analysis).ToArray();
        return [LengthFinding(first, last, w), ReflectionFinding(first, last, w), WaitFinding(steps, w), LevelFinding(first, last, w)];
    }

    private const string Length = "responses grow longer";
    private const string Reflection = "reflective words grow several-fold, and reflecting pays";
    private const string Wait = "\"wait\" is nearly absent early and rises late";
    private const string Levels = "the hard levels catch up while the easy ones saturate";

    private static SelfEvolutionFinding LengthFinding(StepAnalysis[] first, StepAnalysis[] last, int w)
    {
        double a = Mean(first, s => s.ResponseTokensMean), b = Mean(last, s => s.ResponseTokensMean);
        bool seen = a > 0 && b >= a * LengthGrowth;
        return new(Length, seen, F($"mean response length {a:F1} -> {b:F1} tokens (first {w} vs last {w} steps, {Ratio(a, b)}); ")
            + (seen ? F($"at least {LengthGrowth:0.##}x counts as growth") : F($"not {LengthGrowth:0.##}x, so not seen")));
    }

    private static SelfEvolutionFinding ReflectionFinding(StepAnalysis[] first, StepAnalysis[] last, int w)
    {
        double a = Mean(first, s => s.ReflectivePer1000), b = Mean(last, s => s.ReflectivePer1000);
        double with = Mean(last, s => s.AccuracyWithReflection), without = Mean(last, s => s.AccuracyWithoutReflection);
        double share = Mean(last, s => s.ReflectionShare);
        double matchedWith = Mean(last, s => s.ReflectionMatched.With), matchedWithout = Mean(last, s => s.ReflectionMatched.Without);
        string atSameLevels = double.IsNaN(matchedWith) || double.IsNaN(matchedWithout) ? ""
            : F($"; at equal difficulty (the levels with both kinds, weighted as the reflecting ones are) {matchedWith * 100:F0}% against {matchedWithout * 100:F0}%, so checking ")
              + (matchedWith > matchedWithout ? "pays" : "does not pay");
        string pays = double.IsNaN(with) ? "no completion of the last steps reflects"
            : double.IsNaN(without) ? F($"every completion of the last steps reflects (accuracy {with * 100:F0}%)")
            : F($"in the last steps {share * 100:F0}% of completions reflect, and they are right {with * 100:F0}% of the time against {without * 100:F0}% for the rest") + atSameLevels;
        if (a == 0 && b == 0)
            return new(Reflection, false, "no reflective word in any completion of the first or last steps (RL amplifies what the base model already does; a base model that never checks has nothing to amplify)");
        bool seen = b > 0 && (a == 0 ? b >= WaitThresholdPer1000 : b >= a * ReflectionGrowth);
        return new(Reflection, seen, F($"reflective words {a:F2} -> {b:F2} per 1k tokens (first {w} vs last {w} steps, {Ratio(a, b)}); ")
            + (seen ? "" : F($"not {ReflectionGrowth:0.#}x, so not seen; ")) + pays);
    }

    private static SelfEvolutionFinding WaitFinding(IReadOnlyList<(long Step, StepAnalysis Analysis)> steps, int w)
    {
        int wait = ReflectiveWords.Words.ToList().IndexOf("wait");
        double early = Mean(steps.Take(w).Select(s => s.Analysis).ToArray(), s => s.WordPer1000[wait]);
        var rates = steps.Select(s => s.Analysis.WordPer1000[wait]).ToArray();
        int window = Math.Min(WaitSmoothing, rates.Length);
        int at = Enumerable.Range(window - 1, rates.Length - window + 1).FirstOrDefault(i => TrailingMean(rates, i, window) > WaitThresholdPer1000, -1);
        string curve = F($"the {WaitSmoothing}-step trailing mean of \"wait\"");
        if (at < 0)
            return new(Wait, false, F($"{curve} never exceeds {WaitThresholdPer1000:0.#} per 1k tokens (first {w} steps: {early:F2})"));
        long step = steps[at].Step + 1;
        bool late = early <= WaitThresholdPer1000 && steps[at].Step >= steps[steps.Count / 2].Step;
        return new(Wait, late, late
            ? F($"{curve} first exceeds {WaitThresholdPer1000:0.#} per 1k tokens at step {step}, in the second half of the run (first {w} steps: {early:F2})")
            : F($"not a late rise: {curve} first exceeds {WaitThresholdPer1000:0.#} per 1k tokens at step {step} (first {w} steps: {early:F2})"));
    }

    // The mean of the window values ending at index i (steps without completions count as no "wait").
    private static double TrailingMean(double[] values, int i, int window) =>
        values[(i - window + 1)..(i + 1)].Select(v => double.IsFinite(v) ? v : 0).Average();

    private static SelfEvolutionFinding LevelFinding(StepAnalysis[] first, StepAnalysis[] last, int w)
    {
        var levels = first.Concat(last).SelectMany(s => s.AccuracyByLevel.Keys).Where(l => l > 0).Distinct().Order().ToArray();
        if (levels.Length < 3)
            return new(Levels, null, F($"the run's questions have {levels.Length} difficulty level{(levels.Length == 1 ? "" : "s")} (at least 3 are needed)"));
        double Gain(int level) =>
            Mean(last, s => s.AccuracyByLevel.GetValueOrDefault(level, double.NaN)) - Mean(first, s => s.AccuracyByLevel.GetValueOrDefault(level, double.NaN));
        var easy = levels.Take(2).ToArray();
        var hard = levels.Skip(levels.Length - 2).ToArray();
        double easyGain = easy.Average(Gain), hardGain = hard.Average(Gain);
        string perLevel = string.Join(", ", levels.Select(l => F($"level {l} {Mean(first, s => s.AccuracyByLevel.GetValueOrDefault(l, double.NaN)) * 100:F0}% -> {Mean(last, s => s.AccuracyByLevel.GetValueOrDefault(l, double.NaN)) * 100:F0}%")));
        bool seen = hardGain > 0 && hardGain > easyGain;
        return new(Levels, seen, F($"{perLevel} (first {w} vs last {w} steps); the hardest two gained {hardGain * 100:+0.0;-0.0} points, the easiest two {easyGain * 100:+0.0;-0.0}")
            + (seen ? "" : ", so not seen"));
    }

    // The mean of the defined values (NaN when none is).
    private static double Mean(StepAnalysis[] steps, Func<StepAnalysis, double> value)
    {
        var defined = steps.Select(value).Where(double.IsFinite).ToArray();
        return defined.Length == 0 ? double.NaN : defined.Average();
    }

    private static string Ratio(double a, double b) => a > 0 ? F($"{b / a:F2}x") : "from zero";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
