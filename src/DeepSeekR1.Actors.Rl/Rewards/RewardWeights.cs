namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// How the rule rewards add up into one scalar reward per completion: total = Accuracy * accuracy +
/// Format * format + Language * language-consistency. The paper sums the rewards directly (weights of 1);
/// R1-Zero uses accuracy and format only, R1's reasoning RL adds language consistency.
/// </summary>
/// <param name="Accuracy">Weight of the accuracy reward (answer equivalent to the gold answer).</param>
/// <param name="Format">Weight of the format reward (the think/answer template).</param>
/// <param name="Language">Weight of the language-consistency reward (share of the chain of thought in the prompt's language).</param>
public sealed record RewardWeights(double Accuracy = 1.0, double Format = 1.0, double Language = 0.0)
{
    /// <summary>R1-Zero: accuracy + format.</summary>
    public static RewardWeights R1Zero { get; } = new(1.0, 1.0, 0.0);

    /// <summary>R1 stage-2 reasoning RL: accuracy + format + language consistency.</summary>
    public static RewardWeights R1Reasoning { get; } = new(1.0, 1.0, 1.0);

    /// <summary>The weighted total of the three rule results.</summary>
    /// <param name="accuracy">Accuracy score.</param>
    /// <param name="format">Format score.</param>
    /// <param name="language">Language-consistency score.</param>
    public double Combine(double accuracy, double format, double language) =>
        Accuracy * accuracy + Format * format + Language * language;
}
