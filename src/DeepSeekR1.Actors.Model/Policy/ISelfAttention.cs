using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// What a decoder layer asks of its attention, whichever kind it is: grouped-query (<see cref="CausalSelfAttention"/>)
/// or multi-head latent (<see cref="LatentAttention"/>).
/// </summary>
public interface ISelfAttention
{
    /// <summary>
    /// Attends over <paramref name="x"/> [batch, seq, hidden] at the positions whose rotary tables are
    /// <paramref name="rope"/>; with a <paramref name="cache"/> the new positions are appended to layer
    /// <paramref name="layer"/>'s slot first. <paramref name="mask"/> is from <see cref="AttentionMask.Build"/>; null means
    /// plain causal. Returns [batch, seq, hidden].
    /// </summary>
    Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? mask, KvCache? cache, int layer);

    /// <summary>Runs projections that share an input as one matmul until <see cref="Unfuse"/>, where the kind has such a path.</summary>
    void Fuse();

    /// <summary>Returns to the separate projections.</summary>
    void Unfuse();
}
