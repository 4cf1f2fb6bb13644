using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Sft;

namespace DeepSeekR1.Actors.Rl.Tests.Sft;

/// <summary>A policy small enough that a few training steps take milliseconds.</summary>
internal static class TinyPolicy
{
    public static ModelConfig Config(int vocab = 32) => ModelConfig.Defaults with
    {
        VocabSize = vocab,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumLayers = 2,
        NumHeads = 2,
        NumKvHeads = 1,
        MaxPositionEmbeddings = 128,
        EosTokenId = 2,
        PadTokenId = 0,
    };

    public static PolicyModel Create(long seed = 7, int vocab = 32, ModelDtype dtype = ModelDtype.Float32) => new(Config(vocab) with { Dtype = dtype }, seed: seed);

    public static SftExample Example(int[] prompt, int[] completion) => new(prompt, completion);
}
