using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// A policy's routed experts distributed over expert shards held in this process: the link its MoE layers call
/// (inline, on the calling thread: the tensor thread runs the learner and the shards alike, so nothing waits on
/// anything) and what the learner's optimizer step needs of all shards together: clearing gradients, their share of
/// the global gradient norm, the numbered update, and their weights for checkpoints and the reference policy.
/// </summary>
public sealed class ExpertShardSet : IExpertShardLink, IDisposable
{
    private readonly ExpertShard[] shards;

    private ExpertShardSet(ExpertPlacement placement, ExpertShard[] shards)
    {
        Placement = placement;
        this.shards = shards;
        Executor = new ShardedExpertExecutor(this);
    }

    /// <summary>
    /// Moves <paramref name="policy"/>'s routed experts onto <paramref name="shardCount"/> shards: each shard copies its
    /// experts' weights, then the MoE layers drop theirs and run them through the shards.
    /// </summary>
    public static ExpertShardSet Distribute(PolicyModel policy, int shardCount)
    {
        var placement = ExpertPlacement.For(policy.Config, shardCount);
        var shards = new ExpertShard[placement.Shards];
        try
        {
            var state = policy.state_dict();
            for (int s = 0; s < shards.Length; s++)
            {
                shards[s] = new ExpertShard(policy.Config, placement, s, policy.Device);
                shards[s].LoadFrom(state, "the policy");
            }
        }
        catch
        {
            foreach (var shard in shards) shard?.Dispose();
            throw;
        }
        var set = new ExpertShardSet(placement, shards);
        foreach (var layer in policy.MoeLayers) layer.UseShards(set.Executor);
        return set;
    }

    /// <inheritdoc />
    public ExpertPlacement Placement { get; }

    /// <summary>The executor the policy's MoE layers use.</summary>
    public ShardedExpertExecutor Executor { get; }

    /// <summary>The shards, by index.</summary>
    public IReadOnlyList<ExpertShard> Shards => shards;

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Forward(int shard, ExpertForward request) => shards[shard].Forward(request);

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Backward(int shard, ExpertBackward request) => shards[shard].Backward(request);

    /// <summary>Gives every shard an optimizer built by <paramref name="create"/>.</summary>
    public void AttachOptimizers(Func<IEnumerable<Parameter>, OptimizerHelper> create)
    {
        foreach (var shard in shards) shard.AttachOptimizer(create);
    }

    /// <summary>Clears every shard's gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var shard in shards) shard.ZeroGrad();
    }

    /// <summary>
    /// Starts a training pass: forgets what an earlier pass recorded without back-propagating (a forward whose loss
    /// was never used) and any failure of an earlier backward.
    /// </summary>
    public void BeginPass()
    {
        foreach (var shard in shards) shard.ForgetRecorded();
        Executor.ClearBackwardFailure();
    }

    /// <summary>The shards' share of the squared global gradient norm.</summary>
    public double SquaredGradNorm() => shards.Sum(s => s.SquaredGradNorm());

    /// <summary>Applies update <paramref name="update"/> on every shard (each applies it at most once).</summary>
    public void ApplyUpdate(long update, double learningRate, double gradScale)
    {
        foreach (var shard in shards) shard.ApplyUpdate(update, learningRate, gradScale);
    }

    /// <summary>Continues every shard's update count after a restore (see <see cref="ExpertShard.ResumeAt"/>).</summary>
    public void ResumeAt(long update)
    {
        foreach (var shard in shards) shard.ResumeAt(update);
    }

    /// <summary>Whether <paramref name="name"/> is a routed expert's tensor (these live on shards, not in the layers).</summary>
    public static bool IsRoutedExpert(string name) => name.Contains(".mlp.experts.", StringComparison.Ordinal);

    /// <summary>Every shard's weights by Hugging Face name (live tensors; copy before changing them).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Weights() =>
        shards.SelectMany(s => s.NamedParameters()).Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter));

    /// <summary>Loads every shard's experts from a full model's state (a checkpoint's tensors).</summary>
    public void LoadFrom(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        foreach (var shard in shards) shard.LoadFrom(tensors, source);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var shard in shards) shard.Dispose();
    }
}
