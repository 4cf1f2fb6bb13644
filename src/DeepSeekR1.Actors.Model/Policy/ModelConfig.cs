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

/// <summary>
/// The shape of the decoder-only policy. Names follow Hugging Face's Llama/Qwen2 <c>config.json</c> so that a
/// real checkpoint's config maps one to one; the Mixture-of-Experts fields follow DeepSeek-V3's.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Number of token ids the embedding and output head cover.</summary>
    public int VocabSize { get; init; } = 512;

    /// <summary>Width of the residual stream.</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>Inner width of each dense SwiGLU MLP.</summary>
    public int IntermediateSize { get; init; } = 704;

    /// <summary>Number of decoder layers.</summary>
    public int NumLayers { get; init; } = 4;

    /// <summary>Number of query heads.</summary>
    public int NumHeads { get; init; } = 4;

    /// <summary>Number of key/value heads (grouped-query attention when smaller than <see cref="NumHeads"/>).</summary>
    public int NumKvHeads { get; init; } = 4;

    /// <summary>Longest sequence (prompt plus completion) the rotary tables are built for.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Base of the rotary position embedding frequencies.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>Epsilon inside RMSNorm.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Whether the output head shares the token embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; } = true;

    /// <summary>Whether q/k/v projections carry a bias (true for Qwen2, false for Llama).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Indices of the layers whose MLP is a Mixture-of-Experts; empty for a dense model.</summary>
    public IReadOnlyList<int> MoeLayers { get; init; } = [];

    /// <summary>Number of routed (fine-grained) experts in each MoE layer.</summary>
    public int NumRoutedExperts { get; init; } = 8;

    /// <summary>Number of shared experts every token passes through in each MoE layer.</summary>
    public int NumSharedExperts { get; init; } = 1;

    /// <summary>How many routed experts each token is sent to.</summary>
    public int ExpertsPerToken { get; init; } = 2;

    /// <summary>Inner width of each expert's SwiGLU MLP (routed and shared alike).</summary>
    public int MoeIntermediateSize { get; init; } = 176;

    /// <summary>Whether the top-k gate weights of a token are renormalised to sum to one.</summary>
    public bool NormTopkProb { get; init; } = true;

    /// <summary>Scale applied to the routed experts' combined output (DeepSeek-V3's routed_scaling_factor).</summary>
    public double RoutedScalingFactor { get; init; } = 1.0;

    /// <summary>Which balancing scheme the routers use.</summary>
    public LoadBalancing LoadBalancing { get; init; } = LoadBalancing.AuxFree;

    /// <summary>Coefficient of the auxiliary balance loss (used with <see cref="LoadBalancing.AuxLoss"/>).</summary>
    public double AuxLossAlpha { get; init; } = 0.01;

    /// <summary>Step size of the per-expert bias update (used with <see cref="LoadBalancing.AuxFree"/>).</summary>
    public double BiasUpdateSpeed { get; init; } = 0.001;

    /// <summary>Token id that starts a sequence, or -1 when the tokenizer has none.</summary>
    public int BosTokenId { get; init; } = -1;

    /// <summary>Token id that ends a completion.</summary>
    public int EosTokenId { get; init; } = 2;

    /// <summary>Token id used to pad batches (never attended to, never trained on).</summary>
    public int PadTokenId { get; init; }

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HiddenSize / NumHeads;

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
        Require(HeadDim % 2 == 0, "num-heads", "must leave an even head dimension for rotary embeddings");
        Require(NumKvHeads > 0 && NumHeads % NumKvHeads == 0, "num-kv-heads", $"must divide num-heads ({NumHeads})");
        Require(IntermediateSize > 0, "intermediate-size", "must be positive");
        Require(MaxPositionEmbeddings > 0, "max-position-embeddings", "must be positive");
        Require(MoeLayers.All(l => l >= 0 && l < NumLayers), "moe-layers", $"must name layers in 0..{NumLayers - 1}");
        if (MoeLayers.Count > 0)
        {
            Require(NumRoutedExperts > 0, "num-routed-experts", "must be positive in a model with MoE layers");
            Require(ExpertsPerToken > 0 && ExpertsPerToken <= NumRoutedExperts, "experts-per-token", $"must be in 1..{NumRoutedExperts}");
            Require(NumSharedExperts >= 0, "num-shared-experts", "must not be negative");
            Require(MoeIntermediateSize > 0, "moe-intermediate-size", "must be positive");
        }
        Require(EosTokenId >= 0 && EosTokenId < VocabSize, "eos-token-id", $"must be a token id below vocab-size ({VocabSize})");
        Require(PadTokenId >= 0 && PadTokenId < VocabSize, "pad-token-id", $"must be a token id below vocab-size ({VocabSize})");
        return this;
    }
}
