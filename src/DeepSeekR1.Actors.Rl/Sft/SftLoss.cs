using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>The SFT objective: mean negative log-likelihood of the completion tokens of a batch.</summary>
public static class SftLoss
{
    /// <summary>
    /// -sum(log p(completion token)) / number of completion tokens, over the whole batch (token mean, so a long
    /// completion weighs as many tokens as it has). Only completion positions are scored: prompt tokens and padding
    /// neither enter the sum nor the count. Returns a scalar the caller owns; it carries gradient when grad is on.
    /// </summary>
    public static Tensor Compute(PolicyModel model, SftBatch batch)
    {
        using var scope = NewDisposeScope();
        using var scores = TokenLogProbs.Compute(model, batch.Ids, batch.Valid, batch.Scored);
        var mask = batch.Scored.to_type(ScalarType.Float32);
        // clamp_min keeps an all-prompt batch at loss 0 instead of 0/0.
        var loss = -(scores.LogProbs * mask).sum() / mask.sum().clamp_min(1);
        return loss.MoveToOuterDisposeScope();
    }
}
