using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// The gated MLP of Llama/Qwen/DeepSeek: <c>down(silu(gate(x)) * up(x))</c> (Shazeer 2020). Also the shape of every
/// routed and shared expert. Parameter names match Hugging Face: gate_proj, up_proj, down_proj.
/// </summary>
public sealed class SwiGluMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;
    private FusedLinear? gateUp;

    /// <summary>Creates an MLP from <paramref name="hidden"/> through <paramref name="inner"/> and back.</summary>
    public SwiGluMlp(int hidden, int inner) : base(nameof(SwiGluMlp))
    {
        gate_proj = nn.Linear(hidden, inner, hasBias: false);
        up_proj = nn.Linear(hidden, inner, hasBias: false);
        down_proj = nn.Linear(inner, hidden, hasBias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor gated;
        if (gateUp is null) gated = nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x);
        else
        {
            var both = gateUp.Forward(x);
            long inner = both.shape[^1] / 2;
            gated = RowKernels.Applies(both)
                ? RowKernels.SiluTimesUp(both)
                : nn.functional.silu(both.narrow(-1, 0, inner)) * both.narrow(-1, inner, inner);
        }
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }

    /// <summary>Runs gate and up as one matmul until <see cref="Unfuse"/> (a snapshot of the current weights).</summary>
    internal void Fuse()
    {
        gateUp?.Dispose();
        gateUp = new FusedLinear(gate_proj, up_proj);
    }

    /// <summary>Back to the separate projections (and their live parameters).</summary>
    internal void Unfuse()
    {
        gateUp?.Dispose();
        gateUp = null;
    }
}
