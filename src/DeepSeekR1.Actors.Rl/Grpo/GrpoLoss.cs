using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// The GRPO policy loss (to minimise) for one mini-batch of completions:
/// per completion token, <c>-min(ρ·A, clip(ρ, 1-ε_low, 1+ε_high)·A) + β·KL</c> with
/// <c>ρ = exp(logπ - logπ_old)</c> and the k3 estimator <c>KL = exp(ref - logπ) - (ref - logπ) - 1</c>,
/// reduced to a scalar by <see cref="GrpoLossOptions.Aggregation"/>.
/// </summary>
/// <remarks>
/// <para>
/// The clipped surrogate is pessimistic: for a positive advantage it stops rewarding a token once its probability
/// has grown by more than 1+ε_high since sampling, for a negative one once it has shrunk below 1-ε_low. In the
/// clipped branch the term is a constant, so the token gets no gradient: the update cannot run away from the
/// policy that produced the data. On the first mini-batch of a rollout ρ = 1 everywhere and nothing is clipped.
/// </para>
/// <para>
/// The k3 estimator is unbiased for KL(π‖π_ref) under samples from π, always non-negative, and exactly 0 where
/// the two policies agree. Its gradient with respect to logπ is <c>1 - π_ref/π</c>: it pulls a token's
/// probability down where the policy has made it more likely than the reference does, and up where less.
/// </para>
/// <para>
/// Normalisation is per call: with <see cref="LossAggregation.TokenMean"/> the divisor is the token count of this
/// mini-batch. That matches an optimizer step per mini-batch (R1 splits each rollout into 16 mini-batches, one
/// step each). Mixture-of-experts models add their load-balancing auxiliary loss themselves:
/// <c>total = result.Loss + auxCoefficient * auxLoss</c>, before <c>backward()</c>.
/// </para>
/// </remarks>
public static class GrpoLoss
{
    /// <summary>Computes the loss and its diagnostics.</summary>
    /// <param name="logprobs">[B, T] log-probabilities of the sampled tokens under the current policy, with grad.</param>
    /// <param name="oldLogprobs">[B, T] the same under the policy that sampled them; treated as constants.</param>
    /// <param name="refLogprobs">[B, T] the same under the reference policy, constants; may be null when <see cref="GrpoLossOptions.Beta"/> is 0. When given with beta 0 the KL is still reported.</param>
    /// <param name="advantages">[B] one advantage per sequence (shared by all its tokens); constants.</param>
    /// <param name="mask">[B, T] non-zero (or true) for completion tokens, zero for prompt and padding. Values at masked-out positions are ignored, even NaN or infinite ones.</param>
    /// <param name="options">Clipping, KL coefficient and aggregation.</param>
    /// <returns>The scalar loss, attached to <paramref name="logprobs"/>'s graph and moved to the caller's dispose scope, and detached diagnostics.</returns>
    /// <exception cref="ArgumentException">Shapes disagree, options are invalid, or beta is positive without reference log-probs.</exception>
    public static GrpoLossResult Compute(
        Tensor logprobs,
        Tensor oldLogprobs,
        Tensor? refLogprobs,
        Tensor advantages,
        Tensor mask,
        GrpoLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckShapes(logprobs, oldLogprobs, refLogprobs, advantages, mask);
        if (options.Beta > 0 && refLogprobs is null)
        {
            throw new ArgumentException("A positive KL coefficient needs reference log-probs.", nameof(refLogprobs));
        }

        using var scope = NewDisposeScope();
        // Advantages and masks are usually built on the host from rewards; follow the log-probs to their device.
        var selected = MaskedOps.Selected(mask.to(logprobs.device));
        var padding = selected.logical_not();

        // Differences are zeroed at padding BEFORE exp: padding may hold garbage (or -inf), and exp of it would be
        // inf, whose backward (0 × inf) turns into NaN even though the position is masked out later.
        var logRatio = (logprobs - oldLogprobs.detach()).masked_fill(padding, 0.0);
        var ratio = logRatio.exp();
        var adv = advantages.detach().to(logprobs.dtype, logprobs.device).unsqueeze(1);

        var unclipped = ratio * adv;
        var clipped = ratio.clamp(1.0 - options.ClipEpsLow, 1.0 + options.ClipEpsHigh) * adv;
        var policyPerToken = -torch.minimum(unclipped, clipped);

        Tensor? klPerToken = null;
        if (refLogprobs is not null)
        {
            var refMinusLogp = (refLogprobs.detach() - logprobs).masked_fill(padding, 0.0);
            klPerToken = refMinusLogp.exp() - refMinusLogp - 1.0;
        }

        var policyLoss = Aggregate(policyPerToken, selected, options);
        var loss = policyLoss;
        Tensor? klLoss = null;
        if (options.Beta > 0)
        {
            klLoss = options.Beta * Aggregate(klPerToken!, selected, options);
            loss = policyLoss + klLoss;
        }

        using (torch.no_grad())
        {
            var tokens = selected.sum().item<long>();
            var lowClipped = ratio.lt(1.0 - options.ClipEpsLow).logical_and(adv.lt(0.0));
            var highClipped = ratio.gt(1.0 + options.ClipEpsHigh).logical_and(adv.gt(0.0));
            return new GrpoLossResult(
                Loss: loss.MoveToOuterDisposeScope(),
                PolicyLoss: ToDouble(policyLoss),
                KlLoss: klLoss is null ? 0.0 : ToDouble(klLoss),
                KlMean: klPerToken is null ? null : ToDouble(MaskedOps.MaskedMean(klPerToken, selected)),
                ClipFractionLow: ToDouble(MaskedOps.MaskedMean(lowClipped.to_type(ScalarType.Float64), selected)),
                ClipFractionHigh: ToDouble(MaskedOps.MaskedMean(highClipped.to_type(ScalarType.Float64), selected)),
                RatioMean: ToDouble(MaskedOps.MaskedMean(ratio, selected)),
                CompletionTokens: tokens);
        }
    }

    /// <summary>Reduces [B, T] per-token losses to a scalar the way <paramref name="options"/> asks.</summary>
    private static Tensor Aggregate(Tensor perToken, Tensor selected, GrpoLossOptions options) => options.Aggregation switch
    {
        LossAggregation.SeqMeanTokenMean => MaskedOps.MaskedMean(perToken, selected, dim: 1).mean(),
        LossAggregation.TokenMean => MaskedOps.MaskedMean(perToken, selected),
        LossAggregation.DrGrpo => MaskedOps.MaskedSum(perToken, selected) / ((double)perToken.shape[0] * options.MaxCompletionLength),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Aggregation, "Unknown loss aggregation."),
    };

    private static double ToDouble(Tensor scalar) => scalar.detach().to_type(ScalarType.Float64).item<double>();

    private static void CheckShapes(Tensor logprobs, Tensor oldLogprobs, Tensor? refLogprobs, Tensor advantages, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(logprobs);
        ArgumentNullException.ThrowIfNull(oldLogprobs);
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(mask);
        if (logprobs.dim() != 2)
        {
            throw new ArgumentException($"logprobs must be [B, T], got [{string.Join(", ", logprobs.shape)}].", nameof(logprobs));
        }

        RequireSameShape(logprobs, oldLogprobs, nameof(oldLogprobs));
        RequireSameShape(logprobs, mask, nameof(mask));
        if (refLogprobs is not null)
        {
            RequireSameShape(logprobs, refLogprobs, nameof(refLogprobs));
        }

        if (advantages.dim() != 1 || advantages.shape[0] != logprobs.shape[0])
        {
            throw new ArgumentException(
                $"advantages must be [B] = [{logprobs.shape[0]}], got [{string.Join(", ", advantages.shape)}].", nameof(advantages));
        }
    }

    private static void RequireSameShape(Tensor expected, Tensor actual, string name)
    {
        if (!expected.shape.SequenceEqual(actual.shape))
        {
            throw new ArgumentException(
                $"{name} must have shape [{string.Join(", ", expected.shape)}], got [{string.Join(", ", actual.shape)}].", name);
        }
    }
}
