using TorchSharp;
using TorchSharp.Modules;
using DeepSeekR1.Actors.Model.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// The tensors of one expert shard: the routed experts placement gives it, of every MoE layer, with their gradients and
/// their optimizer state. A forward call that records keeps its inputs and outputs until the matching backward, which
/// returns the inputs' gradients and leaves the parameters' gradients accumulated here, as a layer's would be.
/// Updates are numbered; each is applied at most once, so a repeated request (a retry after a lost reply) is harmless.
/// The experts are held in the policy's dtype (<see cref="ModelConfig.Dtype"/>). A bfloat16 shard keeps float32 master
/// copies of them, as the learner does of its own parameters (mixed precision, Micikevicius et al. 2018): its optimizer
/// steps the masters, and the bfloat16 experts are the masters rounded after each update, so updates smaller than
/// bfloat16's resolution accumulate instead of rounding away.
/// Single-threaded: the owner (the tensor thread, or the shard actor on it) makes every call.
/// </summary>
public sealed class ExpertShard : IDisposable
{
    private readonly Dictionary<(int Layer, int Expert), SwiGluMlp> experts = [];
    private readonly Dictionary<long, Recorded> recorded = [];
    private readonly Parameter[]? masters;   // masters[i]: float32 copy of the i-th of NamedParameters(); null in float32
    private OptimizerHelper? optimizer;

    private sealed record Recorded(Tensor[] Inputs, Tensor[] Outputs);

    /// <summary>Creates shard <paramref name="index"/> of <paramref name="placement"/> with freshly initialised experts on <paramref name="device"/>.</summary>
    public ExpertShard(ModelConfig config, ExpertPlacement placement, int index, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, placement.Shards);
        Placement = placement;
        Index = index;
        foreach (int layer in placement.MoeLayers)
            foreach (int e in placement.ExpertsOf(index))
            {
                var mlp = new SwiGluMlp(config.HiddenSize, config.MoeIntermediateSize);
                if (config.Dtype != ModelDtype.Float32) mlp.to(config.TorchDtype);
                if (device is not null) mlp.to(device);
                experts[(layer, e)] = mlp;
            }
        if (config.Dtype != ModelDtype.Float32)
        {
            using var noGrad = no_grad();
            // Detached from any dispose scope the caller has open (a shard actor builds its shard inside one message's):
            // they live as long as the shard.
            masters = NamedParameters().Select(p =>
            {
                var master = new Parameter(p.Parameter.detach().to_type(ScalarType.Float32, copy: true), requires_grad: true);
                master.DetachFromDisposeScope();
                return master;
            }).ToArray();
        }
    }

    /// <summary>This shard's number.</summary>
    public int Index { get; }

    /// <summary>The placement it is part of.</summary>
    public ExpertPlacement Placement { get; }

    /// <summary>The last update applied (0 before the first).</summary>
    public long LastUpdate { get; private set; }

    /// <summary>Whether call <paramref name="call"/> was recorded and waits for its backward.</summary>
    public bool HasRecorded(long call) => recorded.ContainsKey(call);

    /// <summary>Forward calls recorded and not yet consumed by a backward.</summary>
    public int PendingCalls => recorded.Count;

    /// <summary>Every parameter with its Hugging Face name (<c>model.layers.1.mlp.experts.2.up_proj.weight</c>), in a fixed order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var ((layer, e), mlp) in experts.OrderBy(kv => kv.Key))
            foreach (var (name, p) in mlp.named_parameters())
                yield return (ExpertPlacement.Prefix(layer, e) + name, p);
    }

    /// <summary>
    /// What the optimizer steps, by the same names: the float32 masters of a bfloat16 shard, else the parameters. A
    /// shard's own snapshot holds these, so a replacement restores the masters exactly, not from their rounding.
    /// </summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedTrainable() =>
        masters is null ? NamedParameters() : NamedParameters().Select((p, i) => (p.Name, masters[i]));

    /// <summary>Whether float32 masters are kept (the experts are not float32).</summary>
    public bool KeepsMasters => masters is not null;

    /// <summary>Bytes of parameters held (the masters not counted).</summary>
    public long ParameterBytes => NamedParameters().Sum(p => p.Parameter.numel() * p.Parameter.element_size());

    /// <summary>
    /// Copies this shard's experts out of <paramref name="tensors"/> (a full model's state, by Hugging Face name). Every
    /// tensor the shard needs must be there with its shape; names the first that is not. A bfloat16 shard's masters take
    /// the values as given (a float32 snapshot of masters exactly; bfloat16 weights as they are) and the experts their
    /// rounding.
    /// </summary>
    public void LoadFrom(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int index = 0;
        foreach (var (name, p) in NamedParameters())
        {
            var master = masters?[index++];
            if (!tensors.TryGetValue(name, out var stored))
                throw new InvalidOperationException($"{source}: expert tensor '{name}' for expert shard {Index} is missing");
            if (!stored.shape.SequenceEqual(p.shape))
                throw new InvalidOperationException(
                    $"{source}: expert tensor '{name}' has shape [{string.Join(", ", stored.shape)}], expert shard {Index} expects [{string.Join(", ", p.shape)}]");
            if (master is null) p.copy_(stored.to(p.dtype));
            else
            {
                master.copy_(stored.to(ScalarType.Float32));
                p.copy_(master);
            }
        }
    }

    /// <summary>
    /// Gives the shard its optimizer, built by <paramref name="create"/> (the learner's settings) over what it trains: the
    /// float32 masters of a bfloat16 shard, else the parameters.
    /// </summary>
    public void AttachOptimizer(Func<IEnumerable<Parameter>, OptimizerHelper> create)
    {
        optimizer?.Dispose();
        optimizer = create(NamedTrainable().Select(p => p.Parameter).ToArray());
    }

    /// <summary>The optimizer (its state goes into this shard's part of a checkpoint).</summary>
    public OptimizerHelper Optimizer => optimizer ?? throw new InvalidOperationException($"expert shard {Index} has no optimizer attached");

    /// <summary>Runs each token block through its expert; keeps the graph when <see cref="ExpertForward.Record"/> is set.</summary>
    public IReadOnlyList<Tensor> Forward(ExpertForward request)
    {
        if (request.Experts.Count != request.Tokens.Count)
            throw new ArgumentException($"expert shard {Index}: {request.Experts.Count} experts for {request.Tokens.Count} token blocks");
        using var scope = NewDisposeScope();
        var inputs = new Tensor[request.Tokens.Count];
        var outputs = new Tensor[request.Tokens.Count];
        // The caller may be inside a custom autograd function's forward, where gradients are off: turn them on here,
        // since this shard's graph is its own.
        using (request.Record ? enable_grad() : no_grad())
            for (int i = 0; i < inputs.Length; i++)
            {
                var mlp = Expert(request.Layer, request.Experts[i]);
                inputs[i] = request.Record ? request.Tokens[i].detach().requires_grad_(true) : request.Tokens[i];
                outputs[i] = mlp.forward(inputs[i]);
            }
        if (request.Record)
        {
            if (recorded.ContainsKey(request.Call))
                throw new InvalidOperationException($"expert shard {Index}: call {request.Call} was already recorded");
            // Kept past this scope until the backward (or Forget) disposes them.
            foreach (var t in inputs.Concat(outputs)) t.DetachFromDisposeScope();
            recorded[request.Call] = new Recorded(inputs, outputs);
        }
        return outputs.Select(o => o.detach().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>Back-propagates through a recorded call: accumulates parameter gradients, returns the inputs' gradients.</summary>
    public IReadOnlyList<Tensor> Backward(ExpertBackward request)
    {
        if (!recorded.Remove(request.Call, out var call))
            throw new InvalidOperationException($"expert shard {Index}: no recorded forward for call {request.Call} (it was never recorded, or already back-propagated)");
        try
        {
            if (request.GradOutputs.Count != call.Outputs.Length)
                throw new ArgumentException($"expert shard {Index}: {request.GradOutputs.Count} gradients for {call.Outputs.Length} outputs of call {request.Call}");
            using var scope = NewDisposeScope();
            autograd.backward(call.Outputs, request.GradOutputs.ToList());
            return call.Inputs.Select(i => (i.grad ?? zeros_like(i)).detach().clone().MoveToOuterDisposeScope()).ToArray();
        }
        finally
        {
            foreach (var t in call.Inputs.Concat(call.Outputs)) t.Dispose();
        }
    }

    /// <summary>Drops every recorded call (after a pass that will not be back-propagated, or a failed step).</summary>
    public void ForgetRecorded()
    {
        foreach (var call in recorded.Values)
            foreach (var t in call.Inputs.Concat(call.Outputs)) t.Dispose();
        recorded.Clear();
    }

    /// <summary>
    /// Clears the parameters' gradients before a mini-batch, the way the learner's optimizer clears its own (so an
    /// expert no token reached is skipped by AdamW here exactly as it would be in a local layer). A bfloat16 shard clears
    /// its experts' gradients too, where the backward accumulates them.
    /// </summary>
    public void ZeroGrad()
    {
        Optimizer.zero_grad();
        if (masters is null) return;
        using var noGrad = no_grad();
        foreach (var p in Parameters) p.grad?.zero_();
    }

    /// <summary>
    /// The sum of squared gradient entries, this shard's share of the global gradient norm (of the experts' gradients,
    /// upcast: a bfloat16 gradient's float32 master copy holds the same values).
    /// </summary>
    public double SquaredGradNorm() => Gradients.SquaredNorm(Parameters);

    private IEnumerable<Parameter> Parameters => NamedParameters().Select(p => p.Parameter);

    /// <summary>
    /// Applies update <paramref name="update"/>: scales the gradients by <paramref name="gradScale"/> (the learner's
    /// global-norm clip factor), sets the learning rate and steps the optimizer; a bfloat16 shard first upcasts the
    /// gradients onto its masters and afterwards rounds the masters into its experts. Update numbers only grow; one at or
    /// below <see cref="LastUpdate"/> was applied already and changes nothing, so a retried request is harmless.
    /// Returns whether it was applied now.
    /// </summary>
    public bool ApplyUpdate(long update, double learningRate, double gradScale)
    {
        if (update <= LastUpdate) return false;
        var opt = Optimizer;
        GradientsToMasters();
        Gradients.Scale(NamedTrainable().Select(p => p.Parameter), gradScale);
        foreach (var group in opt.ParamGroups) group.LearningRate = learningRate;
        opt.step();
        MastersToParameters();
        LastUpdate = update;
        return true;
    }

    /// <summary>Continues the update count after restoring weights and optimizer state saved after <paramref name="update"/>.</summary>
    public void ResumeAt(long update)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(update);
        LastUpdate = update;
    }

    // bfloat16: each expert gradient upcast onto its master (replacing the master's), the expert's own cleared.
    private void GradientsToMasters()
    {
        if (masters is null) return;
        using var noGrad = no_grad();
        int i = 0;
        foreach (var p in Parameters)
        {
            var master = masters[i++];
            if (p.grad is not { } low) continue;
            if (master.grad is { } high) high.copy_(low);
            else
            {
                // A copy even from float32 (no shared storage with the gradient zeroed below); held until the setter has
                // taken its own reference.
                using var upcast = low.to_type(ScalarType.Float32, copy: true);
                master.grad = upcast;
            }
            low.zero_();
        }
    }

    // bfloat16: the updated masters rounded (to nearest even) into the experts.
    private void MastersToParameters()
    {
        if (masters is null) return;
        using var noGrad = no_grad();
        int i = 0;
        foreach (var p in Parameters) p.copy_(masters[i++]);
    }

    private SwiGluMlp Expert(int layer, int expert) =>
        experts.TryGetValue((layer, expert), out var mlp)
            ? mlp
            : throw new ArgumentException($"expert shard {Index} does not hold expert {expert} of layer {layer} (it holds {string.Join(",", Placement.ExpertsOf(Index))})");

    /// <inheritdoc />
    public void Dispose()
    {
        ForgetRecorded();
        optimizer?.Dispose();
        foreach (var master in masters ?? []) master.Dispose();
        foreach (var mlp in experts.Values) mlp.Dispose();
        experts.Clear();
    }
}
