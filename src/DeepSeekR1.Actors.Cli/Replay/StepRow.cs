using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Analysis;

namespace DeepSeekR1.Actors.Cli.Replay;

/// <summary>
/// One row of <c>metrics.csv</c>: a replayed step flattened into the named values the CSV, the charts and the report
/// share, so that all three agree on what each column means.
/// </summary>
public static class StepRow
{
    /// <summary>One column: its CSV name, a reader-facing label, and how it is taken from a step (null = empty cell).</summary>
    /// <param name="Name">The CSV header.</param>
    /// <param name="Label">The label in charts and the report.</param>
    /// <param name="Value">The value of a step.</param>
    public sealed record Column(string Name, string Label, Func<ReplayStep, double?> Value);

    /// <summary>
    /// The columns in order. <c>step</c> is 1-based as <c>r1 train</c> prints it (the journal's step + 1); learner
    /// values come from the learner's journaled metrics, the analyses from the step's journaled completions.
    /// </summary>
    public static IReadOnlyList<Column> Columns { get; } =
    [
        new("step", "step", s => s.Step + 1),
        new("policy_version", "policy version", s => s.PolicyVersion),
        new("reward_mean", "mean reward", s => s.Metrics.RewardMean),
        new("accuracy", "accuracy", s => s.Metrics.Accuracy),
        new("response_tokens_mean", "response length (tokens)", s => s.Metrics.CompletionLengthMean),
        new("kl", "KL to reference", s => s.Metrics.KlMean),
        new("clip_fraction", "clip fraction", s => s.Metrics.ClipFractionLow + s.Metrics.ClipFractionHigh),
        new("step_seconds", "step seconds", s => s.Metrics.StepSeconds),
        new("language_mixing", "language mixing rate", s => s.Analysis.LanguageMixing),
        new("reflective_words", "reflective words per 1k tokens", s => s.Analysis.ReflectivePer1000),
        .. ReflectiveWords.Words.Select((word, i) =>
            new Column($"word_{word}", $"\"{word}\" per 1k tokens", s => s.Analysis.WordPer1000[i])),
        new("reflection_share", "share of completions that reflect", s => s.Analysis.ReflectionShare),
        new("accuracy_with_reflection", "accuracy when reflecting", s => s.Analysis.AccuracyWithReflection),
        new("accuracy_without_reflection", "accuracy when not reflecting", s => s.Analysis.AccuracyWithoutReflection),
        new("reward_std", "reward std", s => s.Metrics.RewardStd),
        new("completions", "completions", s => s.Analysis.Completions),
        new("completion_tokens", "completion tokens", s => s.Analysis.CompletionTokens),
        new("response_tokens_max", "longest response (tokens)", s => s.Metrics.CompletionLengthMax),
        new("frac_zero_std_groups", "groups without signal", s => s.Metrics.FracZeroStdGroups),
        new("loss", "loss", s => s.Metrics.Loss),
        new("grad_norm", "gradient norm", s => s.Metrics.GradNorm),
        new("entropy", "entropy", s => s.Metrics.Entropy),
        new("learning_rate", "learning rate", s => s.Metrics.LearningRate),
        new("wall_seconds", "seconds since the run started", s => s.WallSeconds),
        new("expert_load_max_over_mean", "expert load (busiest / mean)", s => s.ExpertLoad?.MaxOverMean),
        new("accuracy_with_reflection_same_levels", "accuracy when reflecting, levels with both kinds", s => s.Analysis.ReflectionMatched.With),
        new("accuracy_without_reflection_same_levels", "accuracy when not reflecting, on the reflecting ones' mix of levels", s => s.Analysis.ReflectionMatched.Without),
        new("staleness_mean", "policy versions behind (mean over samples)", s => s.Staleness?.Mean),
        new("staleness_max", "policy versions behind (largest)", s => s.Staleness?.Max),
        new("stale_dropped", "samples dropped for staleness", s => s.StaleDropped),
        new("learner_idle_share", "share of the step the learner waited (asynchronous runs)", s => s.LearnerIdleShare),
        new("sampling_seconds", "seconds sampling (first group start to last sample)", s => s.Phases?.Sampling),
        new("learning_seconds", "seconds learning (last sample to the step applied)", s => s.Phases?.Learning),
    ];

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <param name="name">A CSV header.</param>
    public static Column Named(string name) => Columns.Single(c => c.Name == name);
}
