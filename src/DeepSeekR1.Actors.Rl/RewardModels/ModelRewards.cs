using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// How a model-scored prompt's reward is formed, as pure functions (the engine's verifier asks the reward-model entities
/// for the scores and calls these). DeepSeek-R1 (Nature 2025, "Helpful reward model" and "Safety reward model"): the
/// helpfulness model judges only the final summary, so the reasoning cannot be tuned to please it; the safety model
/// reads the whole response, reasoning included, since harm can hide in either.
/// </summary>
public static class ModelRewards
{
    private const string AnswerOpen = "<answer>", AnswerClose = "</answer>", ThinkClose = "</think>";

    /// <summary>
    /// What the helpfulness model reads of <paramref name="completion"/>: the text inside <c>&lt;answer&gt;</c> (to
    /// <c>&lt;/answer&gt;</c> or the end), else what follows <c>&lt;/think&gt;</c>, else the whole completion; trimmed.
    /// </summary>
    public static string Summary(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        int open = completion.LastIndexOf(AnswerOpen, StringComparison.Ordinal);
        if (open >= 0)
        {
            int start = open + AnswerOpen.Length;
            int close = completion.IndexOf(AnswerClose, start, StringComparison.Ordinal);
            return (close < 0 ? completion[start..] : completion[start..close]).Trim();
        }
        int think = completion.LastIndexOf(ThinkClose, StringComparison.Ordinal);
        return (think >= 0 ? completion[(think + ThinkClose.Length)..] : completion).Trim();
    }

    /// <summary>What <paramref name="kind"/>'s model reads of <paramref name="completion"/> (see the class remarks).</summary>
    public static string ResponseFor(RewardModelKind kind, string completion) =>
        kind == RewardModelKind.Helpfulness ? Summary(completion) : completion.Trim();

    /// <summary>
    /// The reward of one completion: helpfulness-weight x helpfulness score + safety-weight x sigmoid(safety logit) +
    /// format-weight x format rule. A model whose weight is 0 is not asked, and its score is null here.
    /// </summary>
    public static double Combine(ModelRewardSettings settings, float? helpfulness, float? safetyLogit, RewardResult format)
    {
        double total = settings.FormatWeight * format.Value;
        if (settings.HelpfulnessWeight != 0)
            total += settings.HelpfulnessWeight * (helpfulness ?? throw new ArgumentNullException(nameof(helpfulness), "helpfulness is weighted but was not scored"));
        if (settings.SafetyWeight != 0)
            total += settings.SafetyWeight * SafeProbability(safetyLogit ?? throw new ArgumentNullException(nameof(safetyLogit), "safety is weighted but was not scored"));
        return total;
    }

    /// <summary>The safety model's probability that a response is safe: sigmoid of its logit.</summary>
    public static double SafeProbability(float logit) => 1.0 / (1.0 + Math.Exp(-logit));

    /// <summary>
    /// The scored rollout of a model-scored output. <see cref="Rollout.Correct"/> is false: no rule says a general answer
    /// is right, so such prompts never count as correct in accuracy figures; <see cref="Rollout.Answer"/> is the summary
    /// the helpfulness model read.
    /// </summary>
    public static Rollout ToRollout(ScoringRequest request, string completion, double reward, RewardResult format) =>
        new(request.Sample, request.Result.TokenIds, request.Result.LogProbs, request.Result.Finish, completion, reward,
            Correct: false, FormatOk: format.Value >= 1.0, Summary(completion), request.PolicyVersion);
}
