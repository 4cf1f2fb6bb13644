using DeepSeekR1.Actors.Configuration;
namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>How the router of a Mixture-of-Experts layer is kept balanced.</summary>
public enum LoadBalancing
{
    /// <summary>An auxiliary loss (alpha * N * sum f_i P_i, DeepSeekMoE) added to the training loss.</summary>
    AuxLoss,

    /// <summary>
    /// DeepSeek-V3's auxiliary-loss-free balancing: a per-expert bias added to the scores only for choosing
    /// experts, nudged after each step towards the under-loaded experts.
    /// </summary>
    AuxFree,
}

/// <summary>Which attention the decoder layers use.</summary>
public enum AttentionKind
{
    /// <summary>Grouped-query attention (Llama, Qwen2): per-head keys and values, several query heads per kv head.</summary>
    Gqa,

    /// <summary>
    /// DeepSeek-V2/V3's multi-head latent attention: keys and values decompressed from one low-rank latent per token,
    /// plus one RoPE key shared by all heads; the KV cache holds only the latent and that key.
    /// </summary>
    Mla,
}

/// <summary>How a MoE router turns its logits into expert scores.</summary>
public enum ScoringFunc
{
    /// <summary>As DeepSeek pairs them: sigmoid with aux-free balancing (V3), softmax with an auxiliary loss (V2).</summary>
    Auto,

    /// <summary>Per-expert sigmoid (DeepSeek-V3's <c>scoring_func: "sigmoid"</c>).</summary>
    Sigmoid,

    /// <summary>Softmax over the experts (DeepSeekMoE, V2).</summary>
    Softmax,
}

/// <summary>The floating-point type a policy's weights and activations are held and computed in (<c>r1.model.dtype</c>).</summary>
public enum ModelDtype
{
    /// <summary>32-bit IEEE floats everywhere (the default; results are bit-identical to builds before the setting existed).</summary>
    Float32,

    /// <summary>
    /// bfloat16 weights and activations (8 exponent bits, 7 mantissa bits: float32's range at half the bytes). RMSNorm,
    /// softmaxes and the log-prob/entropy paths still compute in float32, and the optimizer keeps float32 master weights
    /// (docs/architecture.md, "Dtypes").
    /// </summary>
    Bfloat16,
}

/// <summary>
/// The shape of the decoder-only policy. Names follow Hugging Face's Llama/Qwen2 <c>config.json</c> so that a
/// real checkpoint's config maps one to one; the Mixture-of-Experts fields follow DeepSeek-V3's.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The shipped defaults (<c>r1.model</c> in hocon/), the only place they live.</summary>
    public static ModelConfig Defaults => ShippedDefaults.Bind<ModelConfig>("r1.model");

    /// <summary>Number of token ids the embedding and output head cover.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Width of the residual stream.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Inner width of each dense SwiGLU MLP.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers.</summary>
    public required int NumLayers { get; init; }

    /// <summary>Number of query heads.</summary>
    public required int NumHeads { get; init; }

    /// <summary>Number of key/value heads (grouped-query attention when smaller than <see cref="NumHeads"/>).</summary>
    public required int NumKvHeads { get; init; }

    /// <summary>Longest sequence (prompt plus completion) the rotary tables are built for.</summary>
    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>Base of the rotary position embedding frequencies.</summary>
    public required double RopeTheta { get; init; }

    /// <summary>How the rotary frequencies are scaled (<see cref="RopeScaling"/>): "default", "linear", "llama3", "dynamic" or "yarn".</summary>
    public required string RopeType { get; init; }

    /// <summary>The scaling factor of a linear, llama3, dynamic or yarn rope (1 = none).</summary>
    public required double RopeFactor { get; init; }

    /// <summary>llama3: the low-frequency factor (wavelengths above original / this are scaled fully).</summary>
    public required double RopeLowFreqFactor { get; init; }

    /// <summary>llama3: the high-frequency factor (wavelengths below original / this are not scaled).</summary>
    public required double RopeHighFreqFactor { get; init; }

    /// <summary>llama3, yarn: the pre-training context length; 0 means <see cref="MaxPositionEmbeddings"/>.</summary>
    public required int RopeOriginalMaxPositions { get; init; }

    /// <summary>yarn: what the cos/sin tables are multiplied by (attention_factor, or the value a config's version derives).</summary>
    public required double RopeAttentionFactor { get; init; }

    /// <summary>yarn: dimensions turning more often than this over the pre-training context keep their frequency (beta_fast).</summary>
    public required double RopeBetaFast { get; init; }

    /// <summary>yarn: dimensions turning less often than this are divided by the factor (beta_slow).</summary>
    public required double RopeBetaSlow { get; init; }

    /// <summary>yarn: round the ramp's ends outwards to whole dimensions (truncate).</summary>
    public required bool RopeTruncate { get; init; }

    /// <summary>
    /// yarn with latent attention: DeepSeek-V3's mscale_all_dim, which multiplies the softmax scale by
    /// (0.1 mscale_all_dim ln(factor) + 1)^2; 0 = not set.
    /// </summary>
    public required double RopeMscaleAllDim { get; init; }

    /// <summary>Epsilon inside RMSNorm.</summary>
    public required double RmsNormEps { get; init; }

    /// <summary>Whether the output head shares the token embedding matrix.</summary>
    public required bool TieWordEmbeddings { get; init; }

    /// <summary>Whether q/k/v projections carry a bias (true for Qwen2, false for Llama).</summary>
    public required bool AttentionBias { get; init; }

    /// <summary>Grouped-query (<see cref="AttentionKind.Gqa"/>) or multi-head latent attention (<see cref="AttentionKind.Mla"/>).</summary>
    public required AttentionKind Attention { get; init; }

    /// <summary>MLA: rank of the low-rank query (q_a_proj, q_a_layernorm, q_b_proj); 0 = one plain q_proj.</summary>
    public required int QLoraRank { get; init; }

    /// <summary>MLA: width of the compressed key/value latent each token caches (kv_lora_rank).</summary>
    public required int KvLoraRank { get; init; }

    /// <summary>MLA: per-head width of the key/query part without position (qk_nope_head_dim).</summary>
    public required int QkNopeHeadDim { get; init; }

    /// <summary>MLA: width of the rotary part of queries and of the one shared rotary key (qk_rope_head_dim).</summary>
    public required int QkRopeHeadDim { get; init; }

    /// <summary>MLA: per-head width of the values (v_head_dim).</summary>
    public required int VHeadDim { get; init; }

    /// <summary>
    /// MLA: whether the rotary channels come interleaved (pairs (0,1), (2,3)... as DeepSeek's own code rotates them)
    /// and are de-interleaved before the "rotate half" rotation, as transformers' DeepSeek-V3 does (rope_interleave).
    /// </summary>
    public required bool RopeInterleave { get; init; }

    /// <summary>
    /// Multi-token prediction modules after the main layers (DeepSeek-V3's num_nextn_predict_layers): module k predicts
    /// the token k+1 places ahead of the main head's; each is layer <c>NumLayers + k - 1</c> of the stack. 0 = none.
    /// </summary>
    public required int MtpLayers { get; init; }

    /// <summary>Indices of the layers whose MLP is a Mixture-of-Experts (multi-token prediction layers included); empty for a dense model.</summary>
    public required IReadOnlyList<int> MoeLayers { get; init; }

    /// <summary>Number of routed (fine-grained) experts in each MoE layer.</summary>
    public required int NumRoutedExperts { get; init; }

    /// <summary>Number of shared experts every token passes through in each MoE layer.</summary>
    public required int NumSharedExperts { get; init; }

    /// <summary>How many routed experts each token is sent to.</summary>
    public required int ExpertsPerToken { get; init; }

    /// <summary>Inner width of each expert's SwiGLU MLP (routed and shared alike).</summary>
    public required int MoeIntermediateSize { get; init; }

    /// <summary>Whether the top-k gate weights of a token are renormalised to sum to one.</summary>
    public required bool NormTopkProb { get; init; }

    /// <summary>Scale applied to the routed experts' combined output (DeepSeek-V3's routed_scaling_factor).</summary>
    public required double RoutedScalingFactor { get; init; }

    /// <summary>How router logits become expert scores (scoring_func).</summary>
    public required ScoringFunc ScoringFunc { get; init; }

    /// <summary>Group-limited routing: the routed experts form this many equal groups (n_group; 1 = no limit).</summary>
    public required int ExpertGroups { get; init; }

    /// <summary>Group-limited routing: each token chooses among the experts of this many groups (topk_group).</summary>
    public required int ExpertGroupsPerToken { get; init; }

    /// <summary>Which balancing scheme the routers use.</summary>
    public required LoadBalancing LoadBalancing { get; init; }

    /// <summary>Coefficient of the auxiliary balance loss (used with <see cref="LoadBalancing.AuxLoss"/>).</summary>
    public required double AuxLossAlpha { get; init; }

    /// <summary>Step size of the per-expert bias update (used with <see cref="LoadBalancing.AuxFree"/>).</summary>
    public required double BiasUpdateSpeed { get; init; }

    /// <summary>Token id that starts a sequence, or -1 when the tokenizer has none.</summary>
    public required int BosTokenId { get; init; }

    /// <summary>Token id that ends a completion.</summary>
    public required int EosTokenId { get; init; }

    /// <summary>Token id used to pad batches (never attended to, never trained on).</summary>
    public required int PadTokenId { get; init; }

    /// <summary>
    /// What the weights and activations are held in. Not part of a checkpoint's config.json (whose <c>torch_dtype</c> says
    /// only how the tensors are stored): the run's setting decides, so a bfloat16 download still computes in float32
    /// unless asked.
    /// </summary>
    public required ModelDtype Dtype { get; init; }

    /// <summary>The TorchSharp scalar type of <see cref="Dtype"/>.</summary>
    public TorchSharp.torch.ScalarType TorchDtype => Dtype == ModelDtype.Bfloat16 ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32;

    /// <summary>Width of one attention head (grouped-query attention).</summary>
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Whether the layers use multi-head latent attention.</summary>
    public bool IsLatentAttention => Attention == AttentionKind.Mla;

    /// <summary>MLA: per-head width of queries and keys (nope + rope), whose root is the softmax temperature.</summary>
    public int QkHeadDim => QkNopeHeadDim + QkRopeHeadDim;

    /// <summary>
    /// The longest sequence the model serves (<see cref="RopeScaling.ContextLength"/>): max-position-embeddings, or
    /// longer for yarn (original context x factor) and dynamic (max-position-embeddings x factor).
    /// </summary>
    public int ContextLength => RopeScaling.ContextLength(this);

    /// <summary>The width the rotary tables are built for: a head (GQA) or the rotary part of one (MLA).</summary>
    public int RopeHeadDim => IsLatentAttention ? QkRopeHeadDim : HeadDim;

    /// <summary>Whether routers score with a sigmoid (explicitly, or by <see cref="ScoringFunc.Auto"/> with aux-free balancing).</summary>
    public bool SigmoidScores => ScoringFunc == ScoringFunc.Sigmoid || ScoringFunc == ScoringFunc.Auto && LoadBalancing == LoadBalancing.AuxFree;

    /// <summary>
    /// Elements the KV cache holds per token, all layers together: keys and values of every kv head (GQA), or one latent
    /// plus one rotary key (MLA).
    /// </summary>
    public long KvCacheElementsPerToken => (long)NumLayers * (IsLatentAttention ? KvLoraRank + QkRopeHeadDim : 2L * NumKvHeads * HeadDim);

    /// <summary>Whether layer <paramref name="layer"/> uses a Mixture-of-Experts MLP.</summary>
    public bool IsMoeLayer(int layer) => MoeLayers.Contains(layer);

    /// <summary>Checks the shape is buildable and names the first field that is not.</summary>
    /// <exception cref="ArgumentException">A field is out of range or inconsistent with another.</exception>
    public ModelConfig Validate()
    {
        static void Require(bool ok, string field, string why)
        {
            if (!ok) throw new ArgumentException($"model config: {field} {why}", field);
        }
        Require(VocabSize > 0, "vocab-size", "must be positive");
        Require(HiddenSize > 0, "hidden-size", "must be positive");
        Require(NumLayers > 0, "num-layers", "must be positive");
        Require(NumHeads > 0 && HiddenSize % NumHeads == 0, "num-heads", $"must divide hidden-size ({HiddenSize})");
        Require(NumKvHeads > 0 && NumHeads % NumKvHeads == 0, "num-kv-heads", $"must divide num-heads ({NumHeads})");
        if (IsLatentAttention)
        {
            Require(QLoraRank >= 0, "q-lora-rank", "must not be negative (0 = a plain q_proj)");
            Require(KvLoraRank > 0, "kv-lora-rank", "must be positive with attention = mla");
            Require(QkNopeHeadDim > 0, "qk-nope-head-dim", "must be positive with attention = mla");
            Require(QkRopeHeadDim > 0 && QkRopeHeadDim % 2 == 0, "qk-rope-head-dim", "must be positive and even with attention = mla");
            Require(VHeadDim > 0, "v-head-dim", "must be positive with attention = mla");
        }
        else Require(HeadDim % 2 == 0, "num-heads", "must leave an even head dimension for rotary embeddings");
        Require(IntermediateSize > 0, "intermediate-size", "must be positive");
        Require(MaxPositionEmbeddings > 0, "max-position-embeddings", "must be positive");
        Require(RopeScaling.Types.Contains(RopeType), "rope-type", $"must be one of {string.Join(", ", RopeScaling.Types)}, not '{RopeType}'");
        Require(RopeType == "default" || RopeFactor >= 1, "rope-factor", "must be at least 1");
        Require(RopeType != "llama3" || RopeLowFreqFactor > 0 && RopeHighFreqFactor > RopeLowFreqFactor, "rope-high-freq-factor",
            "must be above rope-low-freq-factor, which must be positive");
        Require(RopeOriginalMaxPositions >= 0, "rope-original-max-positions", "must not be negative");
        Require(RopeType != "yarn" || RopeAttentionFactor > 0, "rope-attention-factor", "must be positive with rope-type = yarn");
        Require(RopeType != "yarn" || RopeBetaFast > 0 && RopeBetaSlow > 0, "rope-beta-fast", "and rope-beta-slow must be positive with rope-type = yarn");
        Require(RopeMscaleAllDim >= 0, "rope-mscale-all-dim", "must not be negative");
        Require(RopeMscaleAllDim == 0 || RopeType == "yarn", "rope-mscale-all-dim", "is only read with rope-type = yarn");
        Require(MtpLayers >= 0, "mtp-layers", "must not be negative");
        Require(MoeLayers.All(l => l >= 0 && l < NumLayers + MtpLayers), "moe-layers", $"must name layers in 0..{NumLayers + MtpLayers - 1}");
        // A multi-token prediction layer does not run in every pass, so an auxiliary loss it kept would be stale.
        Require(LoadBalancing != LoadBalancing.AuxLoss || MoeLayers.All(l => l < NumLayers), "moe-layers",
            "may name a multi-token prediction layer only with load-balancing = aux-free (as DeepSeek-V3)");
        if (MoeLayers.Count > 0)
        {
            Require(NumRoutedExperts > 0, "num-routed-experts", "must be positive in a model with MoE layers");
            Require(ExpertsPerToken > 0 && ExpertsPerToken <= NumRoutedExperts, "experts-per-token", $"must be in 1..{NumRoutedExperts}");
            Require(NumSharedExperts >= 0, "num-shared-experts", "must not be negative");
            Require(MoeIntermediateSize > 0, "moe-intermediate-size", "must be positive");
            Require(ExpertGroups > 0 && NumRoutedExperts % ExpertGroups == 0, "expert-groups", $"must divide num-routed-experts ({NumRoutedExperts})");
            // A group is scored by the sum of its two best experts (DeepSeek-V3), so a limited group needs two.
            Require(ExpertGroups == 1 || NumRoutedExperts / ExpertGroups >= 2, "expert-groups", "must leave at least 2 experts per group");
            Require(ExpertGroupsPerToken > 0 && ExpertGroupsPerToken <= ExpertGroups, "expert-groups-per-token", $"must be in 1..{ExpertGroups}");
            Require(ExpertsPerToken <= ExpertGroupsPerToken * (NumRoutedExperts / ExpertGroups), "experts-per-token",
                "must not exceed the experts in expert-groups-per-token groups");
        }
        Require(EosTokenId >= 0 && EosTokenId < VocabSize, "eos-token-id", $"must be a token id below vocab-size ({VocabSize})");
        Require(PadTokenId >= 0 && PadTokenId < VocabSize, "pad-token-id", $"must be a token id below vocab-size ({VocabSize})");
        return this;
    }
}
