using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>
/// The supervised objective of a model with multi-token prediction modules (DeepSeek-V3, section 2.2): the main head's
/// completion-token NLL, as <see cref="SftLoss"/>, and, from the same forward pass, the modules' own NLL. Depth k's
/// state at position i predicts token i + k + 1; a target counts when it is a completion token, as the main loss's do.
/// The MTP term is <c>weight / D * sum over depths of that depth's mean NLL</c>, DeepSeek-V3's L_MTP with lambda =
/// weight. Training only: generation and RL leave the modules alone.
/// </summary>
public static class MtpLoss
{
    /// <summary>
    /// The main loss, the real tokens of the batch and the weighted MTP term, for <paramref name="examples"/> as one
    /// right-padded batch cut to <paramref name="maxSeqLen"/> tokens. Both losses carry gradient when grad is on.
    /// </summary>
    public static (Tensor Main, long Tokens, Tensor Mtp) Compute(PolicyModel model, IReadOnlyList<SftExample> examples, int maxSeqLen, double weight)
    {
        int depths = model.Config.MtpLayers;
        if (depths == 0) throw new InvalidOperationException("the model has no multi-token prediction layers (r1.model.mtp-layers = 0)");
        using var scope = NewDisposeScope();
        using var batch = SftBatch.Build(examples, model.Config.PadTokenId, maxSeqLen, model.Device);
        long rows = batch.Ids.shape[0], seq = batch.Ids.shape[1];
        var positions = arange(seq, device: model.Device).unsqueeze(0).expand(rows, seq);
        var hidden = model.Hidden(batch.Ids, positions, batch.Valid);

        // Depth 0 is the main head: position i predicts token i + 1.
        var main = MeanNll(model, batch, hidden, offset: 1, head: null);
        Tensor mtp = zeros(1, device: model.Device).squeeze();
        var states = model.MtpHidden(hidden, batch.Ids, batch.Valid);
        for (int depth = 1; depth <= states.Count; depth++)
            mtp = mtp + MeanNll(model, batch, states[depth - 1], offset: depth + 1, head: depth);
        mtp = mtp * (weight / depths);
        return (main.MoveToOuterDisposeScope(), batch.Tokens, mtp.MoveToOuterDisposeScope());
    }

    // Mean NLL of the completion tokens that the states predict, token i + offset from state i; 0 when there are none.
    private static Tensor MeanNll(PolicyModel model, SftBatch batch, Tensor states, int offset, int? head)
    {
        long seq = batch.Ids.shape[1], count = seq - offset;
        if (count <= 0) return zeros(1, device: model.Device).squeeze();
        var target = batch.Scored.narrow(1, offset, count);
        var selected = states.narrow(1, 0, count)[target];
        var tokens = batch.Ids.narrow(1, offset, count)[target];
        var logits = (head is { } depth ? model.MtpLogits(depth, selected) : model.Logits(selected)).to_type(ScalarType.Float32);
        var logProbs = logits.gather(-1, tokens.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1);
        // clamp_min keeps a batch without targets at 0 instead of 0/0.
        return -logProbs.sum() / target.sum().to_type(ScalarType.Float32).clamp_min(1);
    }
}
