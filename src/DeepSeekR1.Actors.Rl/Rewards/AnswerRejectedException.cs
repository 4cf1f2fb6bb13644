namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Raised inside the math verifier when an answer cannot be parsed or breaks a limit. It never leaves the
/// verifier: <see cref="MathAnswer.AreEquivalent(string?, string?, TimeSpan)"/> turns it into a zero score whose reason is the message.
/// </summary>
internal sealed class AnswerRejectedException(string reason) : Exception(reason);
