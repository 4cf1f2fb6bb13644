using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// What a learner needs of the expert shards that hold its policy's routed experts, wherever they run: in this process
/// (<see cref="ExpertShardSet"/>, inline on the tensor thread) or on other nodes (the engine's remote shards, reached
/// by messages). The learner drives every call from its tensor thread, in this order per optimizer update:
/// <see cref="BeginPass"/>, the forward and backward through <see cref="Executor"/>, <see cref="PrepareUpdate"/>,
/// <see cref="ApplyUpdate"/>.
/// </summary>
public interface IExpertShards : IDisposable
{
    /// <summary>Where each expert lives.</summary>
    ExpertPlacement Placement { get; }

    /// <summary>Bytes of expert parameters each shard holds, by shard.</summary>
    IReadOnlyList<long> ParameterBytes { get; }

    /// <summary>The executor the policy's MoE layers run their routed experts through.</summary>
    ShardedExpertExecutor Executor { get; }

    /// <summary>
    /// Starts a training pass: clears every shard's parameter gradients, forgets what an earlier pass recorded without
    /// back-propagating (a forward whose loss was never used, or a pass cut short by a failure), and any failure of an
    /// earlier backward.
    /// </summary>
    void BeginPass();

    /// <summary>
    /// Ends the backward of update <paramref name="update"/>: every shard keeps the gradients it accumulated as those of
    /// this update (a remote shard writes them to its disk, so that a replacement can still apply the update) and
    /// answers its share of the squared global gradient norm; returns the sum.
    /// </summary>
    double PrepareUpdate(long update);

    /// <summary>
    /// Applies update <paramref name="update"/> on every shard: gradients scaled by <paramref name="gradScale"/> (the
    /// global-norm clip factor), an AdamW step at <paramref name="learningRate"/>. Each shard applies an update at most
    /// once, so repeating the call (after a lost reply) changes nothing.
    /// </summary>
    void ApplyUpdate(long update, double learningRate, double gradScale);

    /// <summary>Continues every shard's update count after a restore of weights and optimizer state saved after <paramref name="update"/>.</summary>
    void ResumeAt(long update);

    /// <summary>Every shard's expert tensors by Hugging Face name (in-process: live tensors; remote: copies fetched now).</summary>
    IEnumerable<KeyValuePair<string, Tensor>> Weights();

    /// <summary>Loads every shard's experts from a full model's state (a checkpoint's tensors, by Hugging Face name).</summary>
    void LoadFrom(IReadOnlyDictionary<string, Tensor> tensors, string source);

    /// <summary>Saves shard s's optimizer state to <paramref name="pathOf"/>(s) for every shard; returns the files in shard order.</summary>
    IReadOnlyList<string> SaveOptimizerStates(Func<int, string> pathOf);

    /// <summary>Loads every shard's optimizer state from <paramref name="pathOf"/>(s); a missing file is an error naming it.</summary>
    void LoadOptimizerStates(Func<int, string> pathOf);
}

/// <summary>
/// Creates the shards for <paramref name="policy"/> under <paramref name="placement"/>, each with an AdamW optimizer
/// built by <paramref name="optimizer"/>, and moves the policy's routed experts onto them.
/// </summary>
public delegate IExpertShards ExpertShardConnector(PolicyModel policy, ExpertPlacement placement, Func<IEnumerable<Parameter>, OptimizerHelper> optimizer);

/// <summary>
/// An expert shard did not answer in time or lost its state (its node died): the learner's pass cannot go on, and may be
/// redone once the shard is back (<see cref="Shard"/> names which).
/// </summary>
public sealed class ExpertShardUnavailableException(int shard, string reason, Exception? inner = null)
    : Exception($"expert shard {shard} is unavailable: {reason}", inner)
{
    /// <summary>The shard.</summary>
    public int Shard { get; } = shard;
}
