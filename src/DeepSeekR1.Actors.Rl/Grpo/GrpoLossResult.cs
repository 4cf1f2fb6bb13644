using TorchSharp;

namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// The GRPO loss of one mini-batch: the scalar to back-propagate and detached diagnostics.
/// Token-level diagnostics are means over the completion tokens of the mini-batch, whatever the loss aggregation.
/// </summary>
/// <param name="Loss">
/// The scalar loss (policy term + KL term), attached to the graph of the log-probs. It lives in the caller's
/// dispose scope; dispose it (or the result) when no scope owns it.
/// </param>
/// <param name="PolicyLoss">The clipped-surrogate term of the loss, as aggregated.</param>
/// <param name="KlLoss">The KL term as it enters the loss (beta × aggregated KL); 0 when beta is 0.</param>
/// <param name="KlMean">Mean k3 KL per completion token; <c>null</c> when no reference log-probs were given.</param>
/// <param name="ClipFractionLow">Share of completion tokens with a negative advantage whose ratio fell below 1 - eps_low (clipped: no gradient).</param>
/// <param name="ClipFractionHigh">Share of completion tokens with a positive advantage whose ratio rose above 1 + eps_high (clipped: no gradient).</param>
/// <param name="RatioMean">Mean importance ratio pi/pi_old per completion token; 1 on the first mini-batch of a rollout.</param>
/// <param name="CompletionTokens">Number of completion tokens (mask entries) in the mini-batch, the weight for averaging diagnostics.</param>
public sealed record GrpoLossResult(
    torch.Tensor Loss,
    double PolicyLoss,
    double KlLoss,
    double? KlMean,
    double ClipFractionLow,
    double ClipFractionHigh,
    double RatioMean,
    long CompletionTokens) : IDisposable
{
    /// <summary>The loss as a number.</summary>
    public double LossValue => PolicyLoss + KlLoss;

    /// <summary>Disposes the loss tensor.</summary>
    public void Dispose() => Loss.Dispose();
}
