using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>What the router decided for a batch of tokens.</summary>
/// <param name="Experts">[tokens, k] chosen expert indices.</param>
/// <param name="Weights">[tokens, k] gate weights applied to those experts' outputs, float32 in any model dtype.</param>
/// <param name="AuxLoss">The auxiliary balance loss (aux-loss balancing while training), else null.</param>
public sealed record RoutingDecision(Tensor Experts, Tensor Weights, Tensor? AuxLoss);

/// <summary>
/// Top-k gate of a DeepSeek-style MoE layer. With <see cref="LoadBalancing.AuxLoss"/> (DeepSeekMoE, V2) the scores are a
/// softmax (unless <see cref="ModelConfig.ScoringFunc"/> says otherwise) and an auxiliary loss pushes towards equal load.
/// With <see cref="LoadBalancing.AuxFree"/> (V3) the scores are sigmoids, a per-expert bias is added only when choosing
/// experts (never to the weights), and after each optimizer step the bias moves up for under-loaded experts and down for
/// over-loaded ones. Optionally the choice is group-limited (<see cref="ModelConfig.ExpertGroups"/>, V3's n_group and
/// topk_group). The gate weights are renormalised (norm_topk_prob) and scaled (routed_scaling_factor) as V3 does. Names match Hugging Face DeepSeek-V3:
/// <c>weight</c> and <c>e_score_correction_bias</c>.
/// </summary>
public sealed class MoeRouter : nn.Module
{
    private readonly Parameter weight;
    private Tensor e_score_correction_bias;   // float32 whatever the model's dtype (see _to)
    private readonly ModelConfig config;
    private readonly long[] pendingLoad;

    /// <summary>Creates a router for <paramref name="config"/>'s routed experts.</summary>
    public MoeRouter(ModelConfig config) : base(nameof(MoeRouter))
    {
        this.config = config;
        weight = new Parameter(empty(config.NumRoutedExperts, config.HiddenSize));
        nn.init.normal_(weight, 0, 0.02);
        e_score_correction_bias = zeros(config.NumRoutedExperts);
        pendingLoad = new long[config.NumRoutedExperts];
        RegisterComponents();
    }

    /// <summary>Tokens per expert over the most recent forward pass.</summary>
    public long[] LastTokensPerExpert { get; private set; } = [];

    /// <summary>
    /// Whether <see cref="Route"/> keeps each token's chosen experts in <see cref="LastChoices"/> (off by default: it costs
    /// a copy to the CPU per pass). For inspection: comparing the experts two models pick for the same tokens.
    /// </summary>
    public bool KeepChoices { get; set; }

    /// <summary>With <see cref="KeepChoices"/>: the experts each token of the last pass chose, [tokens][k] in choice order.</summary>
    public long[][] LastChoices { get; private set; } = [];

    /// <summary>The per-expert selection bias (aux-free balancing), float32 in any model dtype.</summary>
    public Tensor Bias => e_score_correction_bias;

    /// <summary>
    /// Routes <paramref name="tokens"/> [n, hidden]. Everything here is float32 whatever the model's dtype, as DeepSeek-V3's
    /// gate (<c>F.linear(x.float(), weight.float())</c>) and Megatron's router (<c>moe_router_dtype = fp32</c>) compute it:
    /// the logits, the scores, the biased choice scores and the top-k. In bfloat16 (8 significant bits) two experts whose
    /// scores differ in the third decimal would tie or swap, so rounding, not the model, would pick the experts. The gate
    /// weights come back float32 too; the layer combines the experts' outputs with them in float32.
    /// </summary>
    public RoutingDecision Route(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        int k = config.ExpertsPerToken;
        // Upcasting is exact: the float32 logits of bfloat16 tokens and weights are those a float32 model holding the
        // same values computes.
        var logits = nn.functional.linear(tokens.to_type(ScalarType.Float32), weight.to_type(ScalarType.Float32));
        var scores = config.SigmoidScores ? logits.sigmoid() : logits.softmax(-1);
        // The bias steers the choice only; the gate weights below are the unbiased scores.
        var forChoice = config.LoadBalancing == LoadBalancing.AuxFree ? scores.detach() + e_score_correction_bias : scores.detach();
        if (config.ExpertGroups > 1) forChoice = LimitToBestGroups(forChoice);
        var chosen = forChoice.topk(k, dim: -1).indexes;
        var weights = scores.gather(-1, chosen);
        if (config.NormTopkProb) weights = weights / (weights.sum(-1, keepdim: true) + 1e-20);
        weights = weights * config.RoutedScalingFactor;

        if (KeepChoices)
        {
            var flat = chosen.cpu().data<long>().ToArray();
            LastChoices = Enumerable.Range(0, (int)chosen.shape[0]).Select(t => flat[(t * k)..((t + 1) * k)]).ToArray();
        }
        var counts = chosen.flatten().bincount(null, config.NumRoutedExperts);
        LastTokensPerExpert = counts.cpu().data<long>().ToArray();
        if (training)
            for (int e = 0; e < pendingLoad.Length; e++) pendingLoad[e] += LastTokensPerExpert[e];

        Tensor? aux = null;
        if (training && config.LoadBalancing == LoadBalancing.AuxLoss)
        {
            // DeepSeekMoE's expert-level balance loss: alpha * sum_i f_i * P_i, with f_i the load of expert i
            // relative to uniform (E / (k * n) * count_i) and P_i its mean routing probability.
            long n = tokens.shape[0];
            int e = config.NumRoutedExperts;
            var f = counts.to_type(ScalarType.Float32) * ((double)e / (k * n));
            var p = scores.mean([0L]);
            aux = ((f * p).sum() * config.AuxLossAlpha).MoveToOuterDisposeScope();
        }
        return new RoutingDecision(chosen.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope(), aux);
    }

    /// <summary>
    /// Converts the weight to <paramref name="dtype"/> (a bfloat16 policy's routers hold bfloat16 weights, trained through
    /// float32 masters like every other parameter) but keeps <c>e_score_correction_bias</c> float32, as DeepSeek-V3's
    /// checkpoints store it: the balancing step moves it by bias-update-speed (1e-3) a step, which a bfloat16 bias (8
    /// significant bits) cannot add exactly (near 0.3 a step would count almost double, above 0.5 it would vanish), and
    /// the choice it steers must not depend on rounding either.
    /// </summary>
    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        var bias = KeepBias();
        base._to(dtype, non_blocking);
        return RestoreBias(bias);
    }

    /// <inheritdoc cref="_to(ScalarType, bool)"/>
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        var bias = KeepBias();
        base._to(device, dtype, non_blocking);
        return RestoreBias(bias);
    }

    // A float32 copy of the bias, owned by this module (the base conversion disposes the buffer it replaces).
    private Tensor KeepBias()
    {
        using var noGrad = no_grad();
        return e_score_correction_bias.to_type(ScalarType.Float32, copy: true).DetachFromDisposeScope();
    }

    // After the base conversion: the float32 copy back under the bias's name, on the device the weight moved to.
    private MoeRouter RestoreBias(Tensor kept)
    {
        var bias = kept.to(weight.device);
        if (!ReferenceEquals(bias, kept)) kept.Dispose();
        bias.DetachFromDisposeScope();
        var converted = e_score_correction_bias;
        e_score_correction_bias = bias;
        _internal_buffers.Remove(nameof(e_score_correction_bias));
        register_buffer(nameof(e_score_correction_bias), bias);
        if (!ReferenceEquals(converted, bias)) converted.Dispose();
        return this;
    }

    /// <summary>
    /// DeepSeek-V3's group-limited routing (node-limited in its paper): the experts form n_group equal groups, each
    /// group is scored by the sum of its two best choice scores, and a token may choose only among the experts of its
    /// topk_group best groups. As transformers does, the other experts' choice scores are set to 0 (not minus infinity),
    /// so with biased scores below zero an expert outside those groups can still be picked; that is the published rule.
    /// </summary>
    private Tensor LimitToBestGroups(Tensor forChoice)
    {
        long n = forChoice.shape[0];
        int groups = config.ExpertGroups, perGroup = config.NumRoutedExperts / groups;
        var groupScores = forChoice.view(n, groups, perGroup).topk(2, dim: -1).values.sum(-1);           // [n, groups]
        var best = groupScores.topk(config.ExpertGroupsPerToken, dim: -1).indexes;                       // [n, topk_group]
        var allowed = zeros_like(groupScores, dtype: ScalarType.Bool).scatter_(1, best, ones_like(best, dtype: ScalarType.Bool));
        var expertAllowed = allowed.unsqueeze(-1).expand(n, groups, perGroup).reshape(n, config.NumRoutedExperts);
        return forChoice.masked_fill(expertAllowed.logical_not(), 0.0);
    }

    /// <summary>
    /// V3's balancing step, called after each optimizer step: bias_i += speed * sign(mean load - load_i) over the tokens
    /// routed while training since the last call. Does nothing with aux-loss balancing or when no token was routed.
    /// </summary>
    public void UpdateBias()
    {
        if (config.LoadBalancing != LoadBalancing.AuxFree || pendingLoad.Sum() == 0) return;
        double mean = pendingLoad.Average();
        using (no_grad())
        using (NewDisposeScope())
        {
            var signs = tensor(pendingLoad.Select(l => (float)Math.Sign(mean - l)).ToArray(), device: e_score_correction_bias.device);
            e_score_correction_bias.add_(signs * config.BiasUpdateSpeed);
        }
        Array.Clear(pendingLoad);
    }

    /// <summary>Forgets the tokens routed since the last <see cref="UpdateBias"/> (a training pass that was abandoned and will run again).</summary>
    public void ForgetPendingLoad() => Array.Clear(pendingLoad);
}
