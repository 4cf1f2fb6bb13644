using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// The objectives of DeepSeek-R1's two reward models, as free functions over score tensors (the style of verl's
/// <c>core_algos.py</c>). Scores come from <see cref="Model.Reward.RewardModel.Score"/>; every function returns a scalar
/// the caller owns, with gradient when its inputs have one.
/// </summary>
public static class RewardModelLoss
{
    /// <summary>
    /// The Bradley-Terry loss of preference pairs (InstructGPT; TRL's <c>RewardTrainer</c>):
    /// mean over pairs of -log sigmoid(r_chosen - r_rejected). <paramref name="chosen"/> and <paramref name="rejected"/>
    /// are [pairs] scores of the better and worse response to the same prompt. log 2 when both score alike.
    /// </summary>
    public static Tensor BradleyTerry(Tensor chosen, Tensor rejected)
    {
        CheckSameShape(chosen, rejected);
        // logsigmoid is computed stably for large negative margins (no log(0)).
        return -nn.functional.logsigmoid(chosen - rejected).mean();
    }

    /// <summary>
    /// The point-wise safety loss: binary cross-entropy between sigmoid(score) and the label, where
    /// <paramref name="safe"/> [n] is 1 for a safe response and 0 for an unsafe one (the paper trains its safety reward
    /// model point-wise on responses labelled safe or unsafe). Mean over responses.
    /// </summary>
    public static Tensor PointwiseBce(Tensor scores, Tensor safe)
    {
        CheckSameShape(scores, safe);
        return nn.functional.binary_cross_entropy_with_logits(scores, safe.to_type(scores.dtype));
    }

    /// <summary>Share of pairs whose chosen response scores strictly higher than the rejected one (ties count as misses).</summary>
    public static double PairwiseAccuracy(Tensor chosen, Tensor rejected)
    {
        CheckSameShape(chosen, rejected);
        if (chosen.numel() == 0) return double.NaN;
        using var scope = NewDisposeScope();
        return (chosen > rejected).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Share of responses whose predicted class (safe when score &gt; 0, i.e. p(safe) &gt; 0.5) matches the label.</summary>
    public static double ClassificationAccuracy(Tensor scores, Tensor safe)
    {
        CheckSameShape(scores, safe);
        if (scores.numel() == 0) return double.NaN;
        using var scope = NewDisposeScope();
        return ((scores > 0) == safe.to_type(ScalarType.Bool)).to_type(ScalarType.Float64).mean().item<double>();
    }

    private static void CheckSameShape(Tensor a, Tensor b)
    {
        if (a.dim() != 1 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"scores must be two vectors of one length, not [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}]");
    }
}
