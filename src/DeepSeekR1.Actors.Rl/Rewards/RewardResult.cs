namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// The outcome of one reward rule on one completion: a value and a short human-readable reason.
/// Rules never throw on model output; a hostile or malformed output gets a value (usually 0) and a reason.
/// </summary>
/// <param name="Value">The score, in [0, 1] for the built-in rules.</param>
/// <param name="Reason">Why, in a few words (for example <c>equivalent: 3/4 = 0.75</c> or <c>no answer tag</c>).</param>
public readonly record struct RewardResult(double Value, string Reason)
{
    /// <summary>A full score with its reason.</summary>
    public static RewardResult Pass(string reason) => new(1.0, reason);

    /// <summary>A zero score with its reason.</summary>
    public static RewardResult Fail(string reason) => new(0.0, reason);
}
