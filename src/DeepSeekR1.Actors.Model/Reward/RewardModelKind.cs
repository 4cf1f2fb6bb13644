namespace DeepSeekR1.Actors.Model.Reward;

/// <summary>What a reward model's scalar means (the two neural rewards of DeepSeek-R1's alignment stage).</summary>
public enum RewardModelKind
{
    /// <summary>
    /// Helpfulness: a preference score, trained pairwise (Bradley-Terry) so that a better response scores higher than a
    /// worse one to the same prompt. Only differences between scores mean anything.
    /// </summary>
    Helpfulness,

    /// <summary>
    /// Safety: a point-wise classifier, trained on single responses labelled safe or unsafe with a binary cross-entropy.
    /// The scalar is the logit of "safe": sigmoid(score) is the model's probability that the response is safe.
    /// </summary>
    Safety,
}
