using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Sft;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Sft;

/// <summary>Multi-token prediction modules in a bfloat16 policy (issue 23): their loss and their training through masters.</summary>
public sealed class BFloat16MtpTests
{
    private static readonly SftExample[] Data =
    [
        TinyPolicy.Example([3, 4], [10, 11, 12, 2]),
        TinyPolicy.Example([5, 6], [13, 14, 15, 2]),
        TinyPolicy.Example([7, 8, 9], [16, 17, 2]),
        TinyPolicy.Example([4, 3], [18, 19, 20, 21, 2]),
    ];

    // Two depths; the second module's MLP is a MoE layer, as DeepSeek-V3's module is.
    private static ModelConfig Shape(ModelDtype dtype) => TinyPolicy.Config() with
    {
        MtpLayers = 2, MoeLayers = [1, 3], NumRoutedExperts = 4, ExpertsPerToken = 2, NumSharedExperts = 1, MoeIntermediateSize = 16,
        TieWordEmbeddings = false, Dtype = dtype,
    };

    [Fact]
    public void The_bfloat16_mtp_loss_is_within_bfloat16_rounding_of_the_float32_loss_on_the_same_weights()
    {
        using var low = new PolicyModel(Shape(ModelDtype.Bfloat16), seed: 7);
        using var wide = new PolicyModel(Shape(ModelDtype.Float32), seed: 1);
        PolicyCheckpoint.CopyInto(wide, low.state_dict(), "the bfloat16 policy");   // exactly the bfloat16 values
        using var noGrad = no_grad();
        var (lowMain, _, lowMtp) = MtpLoss.Compute(low, Data, 512, weight: 1.0);
        var (wideMain, _, wideMtp) = MtpLoss.Compute(wide, Data, 512, weight: 1.0);
        Assert.Equal(ScalarType.Float32, lowMtp.dtype);
        // Stated tolerance: both losses (about ln 32 = 3.5 per depth) within 1% of the float32 ones; not equal, since
        // the activations are bfloat16.
        double main = lowMain.item<float>(), mtp = lowMtp.item<float>();
        double mainRef = wideMain.item<float>(), mtpRef = wideMtp.item<float>();
        Assert.True(Math.Abs(main - mainRef) < 0.01 * mainRef, $"main loss {main} in bfloat16, {mainRef} in float32");
        Assert.True(Math.Abs(mtp - mtpRef) < 0.01 * mtpRef, $"MTP loss {mtp} in bfloat16, {mtpRef} in float32");
        Assert.NotEqual(mtpRef, mtp);
    }

    [Fact]
    public void Sft_trains_the_bfloat16_modules_as_far_as_the_float32_modules()
    {
        float MtpNll(PolicyModel model)
        {
            using var _ = no_grad();
            return MtpLoss.Compute(model, Data, 512, weight: 1.0).Mtp.item<float>();
        }
        // The trainer steps float32 masters (MasterWeightsTests shows what they keep); here the modules' gradients must
        // reach them through the bfloat16 forward and its float32 losses.
        var settings = SftSettings.Defaults with
        {
            LearningRate = 3e-4, BatchSize = 4, Steps = 40, WarmupSteps = 2, WeightDecay = 0, LogEvery = 10, MtpLossWeight = 0.3,
        };
        using var wide = new PolicyModel(Shape(ModelDtype.Float32), seed: 7);
        using var low = new PolicyModel(Shape(ModelDtype.Bfloat16), seed: 7);
        float wideBefore = MtpNll(wide), lowBefore = MtpNll(low);
        SftTrainer.Train(wide, Data, settings);
        SftTrainer.Train(low, Data, settings);
        Assert.All(low.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        float wideDrop = wideBefore - MtpNll(wide), lowDrop = lowBefore - MtpNll(low);
        Assert.True(wideDrop > 0.1, $"float32 MTP NLL fell by {wideDrop}");
        // Stated tolerance: the bfloat16 modules' NLL falls within 20% of the float32 fall.
        Assert.True(Math.Abs(lowDrop - wideDrop) < 0.2 * wideDrop, $"MTP NLL fell by {lowDrop} in bfloat16, {wideDrop} in float32");
    }
}
