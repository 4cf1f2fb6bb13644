using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>The tokens routed to one expert: rows of shape [n, hidden], in the order the layer will read the outputs back.</summary>
/// <param name="Expert">Index of the routed expert within its layer.</param>
/// <param name="Tokens">The hidden states sent to it.</param>
public readonly record struct ExpertInput(int Expert, Tensor Tokens);

/// <summary>
/// Runs a set of routed experts of one MoE layer on the tokens routed to each. The layer does the routing and the
/// permutation; where the experts' weights live is this interface's business: in-process
/// (<see cref="LocalExpertExecutor"/>) or on expert-shard actors spread over devices and nodes.
/// </summary>
public interface IExpertExecutor
{
    /// <summary>Returns, for each input in order, the expert's output of the same shape as its tokens.</summary>
    IReadOnlyList<Tensor> Forward(int layer, IReadOnlyList<ExpertInput> inputs);
}

/// <summary>Runs experts held in this process by the layer itself.</summary>
public sealed class LocalExpertExecutor : IExpertExecutor
{
    private readonly Func<int, int, SwiGluMlp> expert;

    /// <summary>Creates an executor that looks up (layer, expert) modules with <paramref name="expert"/>.</summary>
    public LocalExpertExecutor(Func<int, int, SwiGluMlp> expert) => this.expert = expert;

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Forward(int layer, IReadOnlyList<ExpertInput> inputs)
    {
        var outputs = new Tensor[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
            outputs[i] = expert(layer, inputs[i].Expert).forward(inputs[i].Tokens);
        return outputs;
    }
}
