using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Builds the boolean attention masks (true = may attend) for batches whose rows have padding.
/// A query attends to earlier keys that are real tokens, and always to itself: a padding query would otherwise see
/// no key at all, its softmax would be NaN, and NaN times a zero weight still poisons the real rows downstream.
/// </summary>
public static class AttentionMask
{
    /// <summary>
    /// Mask of shape [batch, 1, queries, keys] for <paramref name="queries"/> new positions that follow
    /// <c>keys - queries</c> cached ones. <paramref name="keyValid"/> is [batch, keys], true where the key is a real token.
    /// Returns null when no mask is needed (one query over all-real keys), so attention takes its fastest path.
    /// </summary>
    public static Tensor? Build(Tensor keyValid, long queries)
    {
        long keys = keyValid.shape[1];
        using var scope = NewDisposeScope();
        var device = keyValid.device;
        var queryPos = arange(keys - queries, keys, device: device).view(-1, 1);   // absolute position of each query
        var keyPos = arange(keys, device: device).view(1, -1);
        var causal = keyPos.le(queryPos);                                           // [q, k]
        var self = keyPos.eq(queryPos);
        var mask = causal.unsqueeze(0).logical_and(keyValid.unsqueeze(1)).logical_or(self.unsqueeze(0));
        return mask.unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Whether every key of every row is a real token (then a plain causal mask suffices).</summary>
    public static bool AllValid(Tensor keyValid) => keyValid.all().item<bool>();
}
