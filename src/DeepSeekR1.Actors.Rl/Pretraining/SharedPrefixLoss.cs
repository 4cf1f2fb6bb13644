using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Sft;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// The SFT objective for a batch whose prompts all start with the same long prefix (the R1-Zero template up to
/// <c>User:</c>, about two thirds of every document). The prefix is run once, without gradient, into a KV cache
/// that every row then attends to; only the rest of each document (question, completion) goes through the model
/// with gradient. The prefix's keys and values are still those of the current weights, exactly what generation
/// computes, so the model sees the same context as at rollout time; what is given up is only training the prefix's
/// own representation, which no loss term depends on. It makes a pretraining step about three times cheaper.
/// </summary>
public sealed class SharedPrefixLoss
{
    private readonly long[] _prefixIds;

    /// <summary>A loss for examples whose <see cref="SftExample.PromptIds"/> follow <paramref name="prefixIds"/>.</summary>
    public SharedPrefixLoss(IReadOnlyList<int> prefixIds)
    {
        if (prefixIds.Count == 0) throw new ArgumentException("the shared prefix is empty", nameof(prefixIds));
        _prefixIds = prefixIds.Select(i => (long)i).ToArray();
    }

    /// <summary>Mean NLL of the completion tokens of <paramref name="examples"/> (their prompts without the prefix).</summary>
    public (Tensor Loss, long Tokens) Compute(PolicyModel model, IReadOnlyList<SftExample> examples, int maxSeqLen)
    {
        using var scope = NewDisposeScope();
        var config = model.Config;
        var device = model.Device;
        int prefix = _prefixIds.Length;
        using var batch = SftBatch.Build(examples, config.PadTokenId, maxSeqLen - prefix, device);
        long rows = batch.Ids.shape[0], seq = batch.Ids.shape[1];

        using var cache = KvCache.ForModel(config, 1, prefix + (int)seq, model.Decoder.Embeddings.weight!.dtype, device);
        using (no_grad())
        {
            model.Hidden(tensor(_prefixIds, [1, prefix], device: device), arange(prefix, device: device).unsqueeze(0), null, cache);
            cache.Advance(prefix);
            cache.KeepRows(zeros(rows, ScalarType.Int64, device));   // the one prefix row, shared by every document
        }

        var positions = (arange(seq, device: device) + prefix).unsqueeze(0).expand(rows, seq);
        var keyValid = cat([ones([rows, prefix], ScalarType.Bool, device), batch.Valid], dim: 1);
        var hidden = model.Hidden(batch.Ids, positions, keyValid, cache);

        // The hidden state at t-1 predicts token t; only completion tokens are targets.
        var target = batch.Scored.narrow(1, 1, seq - 1);
        var selected = hidden.narrow(1, 0, seq - 1)[target];
        var tokens = batch.Ids.narrow(1, 1, seq - 1)[target];
        var logits = model.Logits(selected).to_type(ScalarType.Float32);
        var logProbs = logits.gather(-1, tokens.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1);
        var loss = -logProbs.mean();
        return (loss.MoveToOuterDisposeScope(), batch.Tokens + rows * prefix);
    }
}
