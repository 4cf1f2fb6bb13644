using DeepSeekR1.Actors.Model.Policy;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>Small model shapes the tests build in milliseconds.</summary>
internal static class TinyModels
{
    /// <summary>
    /// The shipped default shape (<c>r1.model</c>) with the ids a tokenizer would fill in (the shipped file says "from the
    /// tokenizer" for them): what <c>TinyModels.Shipped</c> meant before defaults lived only in hocon/.
    /// </summary>
    public static ModelConfig Shipped => ModelConfig.Defaults with { VocabSize = 512, EosTokenId = 2, PadTokenId = 0 };

    public static ModelConfig Dense(int kvHeads = 2) => Shipped with
    {
        VocabSize = 97, HiddenSize = 32, IntermediateSize = 48, NumLayers = 2, NumHeads = 4, NumKvHeads = kvHeads,
        MaxPositionEmbeddings = 128, EosTokenId = 1, PadTokenId = 0,
    };

    public static ModelConfig Moe(LoadBalancing balancing = LoadBalancing.AuxFree) => Dense() with
    {
        MoeLayers = [1], NumRoutedExperts = 4, ExpertsPerToken = 2, NumSharedExperts = 1, MoeIntermediateSize = 16,
        LoadBalancing = balancing, TieWordEmbeddings = false,
    };
}
