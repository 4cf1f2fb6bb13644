using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Scores one completion of one task with every rule and combines the results: extracts the final answer, checks
/// it against the gold answer (math equivalence, or the injected checker for Countdown expressions), checks the
/// format, measures language consistency of the chain of thought, and weighs them. Pure and deterministic; never
/// throws on model output. Code answers (<see cref="AnswerKind.Code"/>) are programs, read by <see cref="CodeAnswer"/>
/// and run against the task's tests by the injected <see cref="CodeRewards"/> (a sandbox process per answer).
/// </summary>
public sealed class RewardComposer
{
    private readonly Func<string, TaskItem, RewardResult>? _countdownChecker;
    private readonly CodeRewards? _code;

    /// <summary>Creates a composer.</summary>
    /// <param name="weights">How the rule results add up.</param>
    /// <param name="countdownChecker">Checks an answer to a <see cref="AnswerKind.CountdownExpression"/> task; without one, such tasks score 0 with a reason.</param>
    /// <param name="thinkTagInPrompt">Whether the prompt template already ends with <c>&lt;think&gt;</c> (see <see cref="FormatReward"/>).</param>
    /// <param name="code">Runs answers to <see cref="AnswerKind.Code"/> tasks in the sandbox; without it, such tasks score 0 with a reason.</param>
    public RewardComposer(RewardWeights weights, Func<string, TaskItem, RewardResult>? countdownChecker = null, bool thinkTagInPrompt = false, CodeRewards? code = null)
    {
        _code = code;
        Weights = weights ?? throw new ArgumentNullException(nameof(weights));
        _countdownChecker = countdownChecker;
        ThinkTagInPrompt = thinkTagInPrompt;
    }

    /// <summary>The weights in use.</summary>
    public RewardWeights Weights { get; }

    /// <summary>Whether the prompt template already opens <c>&lt;think&gt;</c>.</summary>
    public bool ThinkTagInPrompt { get; }

    /// <summary>The code reward, when this set has one.</summary>
    public CodeRewards? Code => _code;

    /// <summary>
    /// How many completions of <paramref name="kind"/> are worth scoring at once: the code reward's
    /// <c>max-parallel</c> for code (each is a sandbox process), 1 for the in-process rules (microseconds each).
    /// </summary>
    public int ParallelismFor(AnswerKind kind) => kind == AnswerKind.Code && _code is not null ? _code.Settings.MaxParallel : 1;

    /// <summary>Scores <paramref name="completion"/> as an answer to <paramref name="item"/>.</summary>
    /// <param name="item">The task, with its gold answer, kind and language.</param>
    /// <param name="completion">The model's output.</param>
    /// <exception cref="InvalidOperationException"><paramref name="item"/> is a general prompt, which only reward models score.</exception>
    public RewardBreakdown Score(TaskItem item, string? completion)
    {
        ArgumentNullException.ThrowIfNull(item);
        // No rule can judge a general answer, and a 0 here would train the policy on noise without anyone noticing.
        if (item.Kind == AnswerKind.General)
            throw new InvalidOperationException($"prompt '{item.Id}' is a general prompt: reward models score it (r1.rewards.models, " +
                "asked by the actor engine's verifiers), not the rule rewards");
        var extraction = item.Kind == AnswerKind.Code ? CodeAnswer.Extract(completion) : AnswerExtractor.Extract(completion);
        var accuracy = extraction.Answer is { } answer ? CheckAnswer(answer, item) : RewardResult.Fail(extraction.Reason);
        var format = FormatReward.Score(completion, ThinkTagInPrompt);
        // Measured even when unweighted: evaluation reports language consistency for every run.
        var language = FormatReward.ThinkContent(completion, ThinkTagInPrompt) is { } thought
            ? LanguageConsistency.Score(thought, item.Language)
            : RewardResult.Fail("no <think> section to judge");
        var total = Weights.Combine(accuracy.Value, format.Value, language.Value);
        return new RewardBreakdown(accuracy, format, language, total, extraction);
    }

    private RewardResult CheckAnswer(string answer, TaskItem item)
    {
        switch (item.Kind)
        {
            case AnswerKind.Math:
                return MathAnswer.AreEquivalent(answer, item.Gold);
            case AnswerKind.CountdownExpression when _countdownChecker is null:
                return RewardResult.Fail("no Countdown checker configured");
            case AnswerKind.CountdownExpression:
                try
                {
                    return _countdownChecker(answer, item);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    // The checker is someone else's code run on model output; its failure costs this sample's reward only.
                    return RewardResult.Fail($"Countdown checker error: {error.GetType().Name}: {error.Message}");
                }
            case AnswerKind.Code when _code is null:
                return RewardResult.Fail("no code sandbox configured (the code reward starts one for the code task)");
            case AnswerKind.Code:
                return _code.Check(answer, item);
            default:
                return RewardResult.Fail($"no checker for answer kind {item.Kind}");
        }
    }
}
