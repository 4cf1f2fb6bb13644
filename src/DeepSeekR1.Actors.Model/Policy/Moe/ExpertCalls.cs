using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// One layer's tokens for one shard: the rows routed to each of the shard's experts, in the order the layer reads the
/// outputs back. It is what a remote shard would receive as a binary tensor payload (remote shards are not built yet).
/// </summary>
/// <param name="Call">Identifies the call, so the matching backward finds the saved activations.</param>
/// <param name="Layer">The MoE layer.</param>
/// <param name="Experts">The experts addressed, one per token block.</param>
/// <param name="Tokens">The token blocks, [n_i, hidden] each.</param>
/// <param name="Record">Whether the shard keeps the activations for a backward pass (training with gradients).</param>
public sealed record ExpertForward(long Call, int Layer, IReadOnlyList<int> Experts, IReadOnlyList<Tensor> Tokens, bool Record);

/// <summary>The gradients of the outputs of an earlier <see cref="ExpertForward"/> with the same call, in its order.</summary>
/// <param name="Call">The forward call these gradients belong to.</param>
/// <param name="GradOutputs">One gradient per token block, the shape of its output.</param>
public sealed record ExpertBackward(long Call, IReadOnlyList<Tensor> GradOutputs);

/// <summary>
/// How the learner's MoE layers reach expert shards: in-process (a direct call on the same thread) or through actors.
/// Calls are synchronous because they run inside the learner's forward and backward passes.
/// </summary>
public interface IExpertShardLink
{
    /// <summary>Where each expert lives.</summary>
    ExpertPlacement Placement { get; }

    /// <summary>Runs <paramref name="request"/> on shard <paramref name="shard"/>; returns one output per token block.</summary>
    IReadOnlyList<Tensor> Forward(int shard, ExpertForward request);

    /// <summary>Runs the backward of an earlier forward on shard <paramref name="shard"/>; returns the gradients of its token blocks.</summary>
    IReadOnlyList<Tensor> Backward(int shard, ExpertBackward request);
}
