using DeepSeekR1.Actors.Model.Policy;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>Small model shapes the tests build in milliseconds.</summary>
internal static class TinyModels
{
    public static ModelConfig Dense(int kvHeads = 2) => new()
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
