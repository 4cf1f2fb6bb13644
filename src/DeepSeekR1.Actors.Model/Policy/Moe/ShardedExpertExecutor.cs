using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// Runs a MoE layer's routed experts on expert shards. Per layer call, each shard gets one request with the token
/// blocks of all its experts. While gradients are being recorded the call is one node of the learner's autograd graph
/// (<see cref="ExpertShardFunction"/>), so <c>loss.backward()</c> sends the outputs' gradients to the same shards and
/// gets the inputs' gradients back; the shards accumulate their own parameters' gradients meanwhile.
/// </summary>
public sealed class ShardedExpertExecutor : IExpertExecutor
{
    private long nextCall;

    /// <summary>Creates an executor that reaches the shards through <paramref name="link"/>.</summary>
    public ShardedExpertExecutor(IExpertShardLink link) => Link = link;

    /// <summary>The route to the shards.</summary>
    public IExpertShardLink Link { get; }

    /// <summary>
    /// Tensor bytes exchanged with shards so far, both ways: token rows out and outputs back in a forward, output
    /// gradients out and input gradients back in a backward. What a wire between learner and shards would carry.
    /// </summary>
    public long BytesMoved { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Forward(int layer, IReadOnlyList<ExpertInput> inputs)
    {
        if (inputs.Count == 0) return [];
        int[] experts = inputs.Select(i => i.Expert).ToArray();
        bool record = is_grad_enabled() && inputs.Any(i => i.Tokens.requires_grad);
        if (!record) return Run(layer, experts, inputs.Select(i => i.Tokens).ToArray(), NextCall(), record: false);
        // The autograd node's arguments: the executor, the layer, the token blocks (its tensor inputs), the experts.
        return ExpertShardFunction.apply([this, layer, .. inputs.Select(i => (object)i.Tokens), experts]);
    }

    /// <summary>The forward of one layer call: one request per shard, the outputs put back in the inputs' order.</summary>
    internal Tensor[] Run(int layer, int[] experts, Tensor[] tokens, long call, bool record)
    {
        var outputs = new Tensor[tokens.Length];
        foreach (var (shard, positions) in ByShard(experts))
        {
            var request = new ExpertForward(call, layer, positions.Select(p => experts[p]).ToArray(), positions.Select(p => tokens[p]).ToArray(), record);
            var answer = Link.Forward(shard, request);
            if (answer.Count != positions.Count)
                throw new InvalidOperationException($"expert shard {shard} answered {answer.Count} outputs for {positions.Count} token blocks of layer {layer}");
            for (int j = 0; j < positions.Count; j++)
            {
                var expected = tokens[positions[j]].shape;
                if (!answer[j].shape.SequenceEqual(expected))
                    throw new InvalidOperationException($"expert shard {shard} returned shape [{string.Join(", ", answer[j].shape)}] for expert {experts[positions[j]]} of layer {layer}, expected [{string.Join(", ", expected)}]");
                outputs[positions[j]] = answer[j];
                BytesMoved += Bytes(tokens[positions[j]]) + Bytes(answer[j]);
            }
        }
        return outputs;
    }

    internal long NextCall() => ++nextCall;

    /// <summary>
    /// The first failure of a shard backward since <see cref="ClearBackwardFailure"/>. An exception cannot travel out
    /// of libtorch's backward engine (it would end the process), so the autograd node records it here, hands libtorch
    /// zero gradients, and the learner calls <see cref="ThrowIfBackwardFailed"/> once <c>backward()</c> returns.
    /// </summary>
    public Exception? BackwardFailure { get; private set; }

    /// <summary>Forgets an earlier backward failure (at the start of a pass).</summary>
    public void ClearBackwardFailure() => BackwardFailure = null;

    /// <summary>Throws the recorded backward failure, if any, so the step fails as a whole and applies nothing.</summary>
    public void ThrowIfBackwardFailed()
    {
        if (BackwardFailure is ExpertShardUnavailableException lost)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(lost);   // the learner may redo the pass
        if (BackwardFailure is { } failure)
            throw new InvalidOperationException($"an expert shard failed in the backward pass: {failure.Message}", failure);
    }

    internal void RecordBackwardFailure(Exception failure) => BackwardFailure ??= failure;

    /// <summary>The backward of a recorded layer call: each shard gets the gradients of its outputs, in the forward's order.</summary>
    internal Tensor[] RunBackward(long call, int[] experts, IReadOnlyList<Tensor> gradOutputs)
    {
        var gradInputs = new Tensor[experts.Length];
        foreach (var (shard, positions) in ByShard(experts))
        {
            var answer = Link.Backward(shard, new ExpertBackward(call, positions.Select(p => gradOutputs[p]).ToArray()));
            if (answer.Count != positions.Count)
                throw new InvalidOperationException($"expert shard {shard} answered {answer.Count} input gradients for {positions.Count} token blocks of call {call}");
            for (int j = 0; j < positions.Count; j++)
            {
                gradInputs[positions[j]] = answer[j];
                BytesMoved += Bytes(gradOutputs[positions[j]]) + Bytes(answer[j]);
            }
        }
        return gradInputs;
    }

    private static long Bytes(Tensor t) => t.numel() * t.element_size();

    // Shards in ascending order, each with the positions (in the layer's input order) of the blocks it holds.
    private IEnumerable<(int Shard, List<int> Positions)> ByShard(int[] experts) =>
        Enumerable.Range(0, experts.Length)
            .GroupBy(p => Link.Placement.ShardOf(experts[p]))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.ToList()));
}

/// <summary>
/// The autograd node of one sharded layer call. Arguments: the executor, the layer, the token blocks (the tensor
/// inputs), and last the experts of the blocks. Forward sends the blocks to the shards; backward sends the outputs'
/// gradients to the same shards and returns the blocks' gradients.
/// </summary>
internal sealed class ExpertShardFunction : autograd.MultiTensorFunction<ExpertShardFunction>
{
    /// <inheritdoc />
    public override string Name => nameof(ExpertShardFunction);

    /// <inheritdoc />
    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var executor = (ShardedExpertExecutor)vars[0];
        int layer = (int)vars[1];
        var experts = (int[])vars[^1];
        var tokens = vars.Skip(2).Take(vars.Length - 3).Cast<Tensor>().ToArray();
        long call = executor.NextCall();
        var outputs = executor.Run(layer, experts, tokens, call, record: true);
        ctx.save_data("executor", executor);
        ctx.save_data("experts", experts);
        ctx.save_data("call", call);
        ctx.save_data("shapes", tokens.Select(t => t.shape).ToArray());
        return outputs.ToList();
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var executor = (ShardedExpertExecutor)ctx.get_data("executor");
        var experts = (int[])ctx.get_data("experts");
        long call = (long)ctx.get_data("call");
        Tensor[] blocks;
        try
        {
            blocks = executor.RunBackward(call, experts, grad_outputs);
        }
        catch (Exception e)
        {
            // Thrown from here it would take the process down inside libtorch: record it and let backward() finish.
            executor.RecordBackwardFailure(e);
            var shapes = (long[][])ctx.get_data("shapes");
            blocks = shapes.Select(shape => zeros(shape, grad_outputs[0].dtype, grad_outputs[0].device)).ToArray();
        }
        // One gradient per argument, tensor or not: none for the executor, the layer and the experts.
        var grads = new List<Tensor> { null!, null! };
        grads.AddRange(blocks);
        grads.Add(null!);
        return grads;
    }
}
