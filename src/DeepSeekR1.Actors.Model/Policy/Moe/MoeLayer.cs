using DeepSeekR1.Actors.Model.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// A DeepSeekMoE layer: fine-grained routed experts, each token sent to its top-k, plus shared experts that every
/// token passes through. The layer routes and permutes tokens (grouping the rows of each expert together, so each
/// expert runs one matmul over its tokens), hands the groups to an <see cref="IExpertExecutor"/>, and scatters the
/// weighted outputs back. Names match Hugging Face DeepSeek-V3: gate, experts.{j}, shared_experts.
/// </summary>
public sealed class MoeLayer : nn.Module<Tensor, Tensor>
{
    private readonly MoeRouter gate;
    private readonly ModuleList<SwiGluMlp> experts;
    private readonly SwiGluMlp? shared_experts;
    private readonly int layerIndex;

    /// <summary>Creates the layer with index <paramref name="layerIndex"/> (used to address remote expert shards).</summary>
    public MoeLayer(ModelConfig config, int layerIndex) : base(nameof(MoeLayer))
    {
        this.layerIndex = layerIndex;
        gate = new MoeRouter(config);
        experts = new ModuleList<SwiGluMlp>();
        for (int e = 0; e < config.NumRoutedExperts; e++) experts.Add(new SwiGluMlp(config.HiddenSize, config.MoeIntermediateSize));
        if (config.NumSharedExperts > 0)
            shared_experts = new SwiGluMlp(config.HiddenSize, config.MoeIntermediateSize * config.NumSharedExperts);
        Executor = new LocalExpertExecutor((_, e) => experts[e]);
        RegisterComponents();
    }

    /// <summary>Where routed experts run; in-process by default.</summary>
    public IExpertExecutor Executor { get; set; }

    /// <summary>The router (for its statistics and bias).</summary>
    public MoeRouter Router => gate;

    /// <summary>The routed expert <paramref name="index"/> (held here unless the layer runs on expert shards).</summary>
    public SwiGluMlp Expert(int index) =>
        RoutedExpertsHere ? experts[index] : throw new InvalidOperationException($"the routed experts of layer {layerIndex} live on expert shards");

    /// <summary>Whether the routed experts' weights are in this module (false once they moved to expert shards).</summary>
    public bool RoutedExpertsHere { get; private set; } = true;

    /// <summary>
    /// Hands the routed experts to expert shards: from now on <paramref name="executor"/> runs them, and this module
    /// neither holds nor names their weights (its state and parameters are the router's and the shared experts').
    /// The shards must have been loaded with the experts' weights first.
    /// </summary>
    public void UseShards(IExpertExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        if (!RoutedExpertsHere) throw new InvalidOperationException($"the routed experts of layer {layerIndex} already live on expert shards");
        _internal_submodules.Remove(nameof(experts));
        foreach (var expert in experts) expert.Dispose();
        experts.Clear();
        Executor = executor;
        RoutedExpertsHere = false;
    }

    /// <summary>The auxiliary balance loss of the last training forward pass, or null.</summary>
    public Tensor? LastAuxLoss { get; private set; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var flat = x.reshape(-1, shape[^1]);
        long n = flat.shape[0];
        var decision = gate.Route(flat);
        int k = (int)decision.Experts.shape[1];

        // Permute: sort the n*k (token, slot) pairs by expert. The key expert*(n*k)+slot is unique, so the order is
        // deterministic whatever sort algorithm libtorch picks. The native permutation (r1.kernels.mode, kernels/)
        // computes the same order with a counting sort and gathers the rows in one pass.
        var flatExperts = decision.Experts.flatten();
        long[] counts = gate.LastTokensPerExpert;
        bool native = KernelRuntime.UseNative("the MoE token permutation", flat, decision.Weights);
        Tensor order, routed;
        Tensor? tokenOfSlot = null;
        if (native)
        {
            order = MoePermutation.RouteOrder(flatExperts, counts.Length).Order;
            routed = MoePermutation.Gather(flat, order, k);
        }
        else
        {
            var key = flatExperts * (n * k) + arange(n * k, device: flat.device);
            order = key.argsort();
            tokenOfSlot = order.div(k, rounding_mode: RoundingMode.floor);
            routed = flat.index_select(0, tokenOfSlot);
        }

        var inputs = new List<ExpertInput>();
        long offset = 0;
        for (int e = 0; e < counts.Length; e++)
        {
            if (counts[e] == 0) continue;
            inputs.Add(new ExpertInput(e, routed.narrow(0, offset, counts[e])));
            offset += counts[e];
        }
        var outputs = Executor.Forward(layerIndex, inputs);
        var expertRows = cat(outputs.ToArray(), dim: 0);
        Tensor result;
        if (native)
        {
            // Each token's rows weighted and summed in sorted order, as the index_add below: bit-identical results.
            result = MoePermutation.Scatter(expertRows, decision.Weights.flatten(), order, n, k);
        }
        else
        {
            // The weighted sum over a token's k experts is taken in float32 with the router's float32 weights and rounded
            // once to the model's dtype, as DeepSeek-V3's reference code (a float32 accumulator, .type(hidden.dtype) at the
            // end) and Megatron's unpermute with a float32 router do; a bfloat16 sum would round after every expert added.
            // For a float32 model the casts are no-ops and this is the computation it always was.
            var combined = expertRows.to_type(ScalarType.Float32) * decision.Weights.flatten().index_select(0, order).unsqueeze(1);
            result = zeros_like(flat, dtype: ScalarType.Float32).index_add_(0, tokenOfSlot!, combined, 1).to_type(flat.dtype);
        }
        // The shared experts' output is added in the model's dtype, after the rounding, as the reference code does.
        if (shared_experts is not null) result = result + shared_experts.forward(flat);

        LastAuxLoss?.Dispose();
        LastAuxLoss = decision.AuxLoss?.MoveToOuterDisposeScope();
        LastAuxLoss?.DetachFromDisposeScope();
        return result.reshape(shape).MoveToOuterDisposeScope();
    }
}
