using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Several linear layers that read the same input, run as one: their weights (and biases) concatenated along the
/// output axis, one matmul whose output holds each layer's part side by side. At decoding sizes (one token per row)
/// a matmul's fixed cost is a large share of its time, so q/k/v in one call and gate/up in one call save real time.
/// A snapshot: it does not follow later updates of the layers' parameters, so it lives for one generation call
/// (see <see cref="PolicyModel.FuseProjections"/>), and the layers keep their own parameters and checkpoint names.
/// </summary>
public sealed class FusedLinear : IDisposable
{
    private readonly Tensor weight;
    private readonly Tensor? bias;

    /// <summary>Concatenates <paramref name="parts"/>, which must share their input width and all have a bias or none.</summary>
    public FusedLinear(params Linear[] parts)
    {
        if (parts.Select(p => p.bias is null).Distinct().Count() > 1)
            throw new ArgumentException("fused layers must all have a bias or all have none", nameof(parts));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // Detached: the snapshot outlives the caller's scopes until it is disposed.
        weight = cat(parts.Select(p => (Tensor)p.weight!).ToArray(), 0).DetachFromDisposeScope();
        bias = parts[0].bias is null ? null : cat(parts.Select(p => (Tensor)p.bias!).ToArray(), 0).DetachFromDisposeScope();
    }

    /// <summary>The layers' outputs for <paramref name="x"/> [..., in], side by side along the last axis in the order given.</summary>
    public Tensor Forward(Tensor x) => nn.functional.linear(x, weight, bias);

    /// <inheritdoc />
    public void Dispose()
    {
        weight.Dispose();
        bias?.Dispose();
    }
}
