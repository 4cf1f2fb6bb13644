using DeepSeekR1.Actors.Model.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// A policy's routed experts distributed over expert shards held in this process: the link its MoE layers call
/// (inline, on the calling thread: the tensor thread runs the learner and the shards alike, so nothing waits on
/// anything) and what the learner's optimizer step needs of all shards together: clearing gradients, their share of
/// the global gradient norm, the numbered update, and their weights for checkpoints and the reference policy.
/// </summary>
public sealed class ExpertShardSet : IExpertShards, IExpertShardLink
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

    /// <inheritdoc />
    public ShardedExpertExecutor Executor { get; }

    /// <inheritdoc />
    public IReadOnlyList<long> ParameterBytes => shards.Select(s => s.ParameterBytes).ToArray();

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

    /// <inheritdoc />
    public void BeginPass()
    {
        foreach (var shard in shards)
        {
            shard.ForgetRecorded();
            shard.ZeroGrad();
        }
        Executor.ClearBackwardFailure();
    }

    /// <inheritdoc />
    /// <remarks>In one process the gradients stay where they are; only the norm is asked for.</remarks>
    public double PrepareUpdate(long update) => shards.Sum(s => s.SquaredGradNorm());

    /// <inheritdoc />
    public void ApplyUpdate(long update, double learningRate, double gradScale)
    {
        foreach (var shard in shards) shard.ApplyUpdate(update, learningRate, gradScale);
    }

    /// <inheritdoc />
    public void ResumeAt(long update)
    {
        foreach (var shard in shards) shard.ResumeAt(update);
    }

    /// <summary>Whether <paramref name="name"/> is a routed expert's tensor, of any MoE layer (<see cref="ExpertPlacement.ShardOfTensor"/> says which live on a shard).</summary>
    public static bool IsRoutedExpert(string name) => name.Contains(".mlp.experts.", StringComparison.Ordinal);

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, Tensor>> Weights() =>
        shards.SelectMany(s => s.NamedParameters()).Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter));

    /// <inheritdoc />
    public void LoadFrom(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        foreach (var shard in shards) shard.LoadFrom(tensors, source);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> SaveOptimizerStates(Func<int, string> pathOf)
    {
        var files = new List<string>();
        foreach (var shard in shards)
        {
            string path = pathOf(shard.Index);
            shard.Optimizer.save_state_dict(path);
            files.Add(path);
            if (!shard.KeepsMasters) continue;
            // A bfloat16 shard's float32 masters, beside its optimizer state (the checkpoint's experts are their rounding).
            string masters = MasterWeightsFile.PathBeside(path);
            MasterWeightsFile.Write(masters, shard.NamedTrainable().Select(p => (p.Name, (Tensor)p.Parameter)));
            files.Add(masters);
        }
        return files;
    }

    /// <inheritdoc />
    public void LoadOptimizerStates(Func<int, string> pathOf)
    {
        foreach (var shard in shards)
        {
            string path = pathOf(shard.Index);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: the optimizer state of expert shard {shard.Index} is missing (was the checkpoint written with r1.experts.shards = {Placement.Shards}?)", path);
            shard.Optimizer.load_state_dict(path);
            if (!shard.KeepsMasters) continue;
            using var scope = NewDisposeScope();
            string masters = MasterWeightsFile.PathBeside(path);
            shard.LoadFrom(MasterWeightsFile.Read(masters), masters);   // the masters exactly, the experts their rounding
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var shard in shards) shard.Dispose();
    }
}
