using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Sft;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Sft;

/// <summary>
/// The multi-token prediction objective: its main term is the SFT loss, its MTP term scores each depth's own targets
/// (completion tokens depth + 1 ahead), and SFT with the modules trains them while leaving them alone at weight 0.
/// </summary>
public class MtpLossTests
{
    private static readonly SftExample[] Data =
    [
        TinyPolicy.Example([3, 4], [10, 11, 12, 2]),
        TinyPolicy.Example([5, 6], [13, 14, 15, 2]),
        TinyPolicy.Example([7, 8, 9], [16, 17, 2]),
        TinyPolicy.Example([4, 3], [18, 19, 20, 21, 2]),
    ];

    private static PolicyModel Model(int depths = 2) => new(TinyPolicy.Config() with { MtpLayers = depths }, seed: 7);

    [Fact]
    public void The_main_term_is_the_sft_loss_and_the_mtp_term_is_the_weighted_mean_of_each_depths_nll()
    {
        using var model = Model();
        using var _ = no_grad();
        var (main, tokens, mtp) = MtpLoss.Compute(model, Data, 512, weight: 0.3);
        using var batch = SftBatch.Build(Data, model.Config.PadTokenId, 512);
        Assert.Equal(SftLoss.Compute(model, batch).item<float>(), main.item<float>(), 1e-5);
        Assert.Equal(batch.Tokens, tokens);

        // Depth k's NLL, computed here from the model's parts: the state at i predicts token i + k + 1.
        long rows = batch.Ids.shape[0], seq = batch.Ids.shape[1];
        var hidden = model.Hidden(batch.Ids, arange(seq).unsqueeze(0).expand(rows, seq), batch.Valid);
        var states = model.MtpHidden(hidden, batch.Ids, batch.Valid);
        double sum = 0;
        for (int depth = 1; depth <= 2; depth++)
        {
            var logProbs = model.MtpLogits(depth, states[depth - 1]).log_softmax(-1);
            double nll = 0;
            int count = 0;
            for (int r = 0; r < rows; r++)
                for (int i = 0; i + depth + 1 < seq; i++)
                {
                    if (!batch.Scored[r, i + depth + 1].item<bool>()) continue;
                    nll -= logProbs[r, i, batch.Ids[r, i + depth + 1]].item<float>();
                    count++;
                }
            Assert.True(count > 0);
            sum += nll / count;
        }
        Assert.Equal(0.3 / 2 * sum, mtp.item<float>(), 1e-4);
    }

    [Fact]
    public void Sft_trains_the_modules_with_a_weight_and_leaves_them_alone_without()
    {
        float MtpNll(PolicyModel model)
        {
            using var _ = no_grad();
            return MtpLoss.Compute(model, Data, 512, weight: 1.0).Mtp.item<float>();
        }
        float[] Eh(PolicyModel model) => model.state_dict()["model.layers.2.eh_proj.weight"].data<float>().ToArray();
        var settings = SftSettings.Defaults with { LearningRate = 1e-2, BatchSize = 4, Steps = 30, WarmupSteps = 2, WeightDecay = 0, LogEvery = 10 };

        using var trained = Model();
        float before = MtpNll(trained);
        SftTrainer.Train(trained, Data, settings with { MtpLossWeight = 0.3 });
        Assert.True(MtpNll(trained) < before * 0.5, $"MTP NLL {before} -> {MtpNll(trained)}");

        using var untouched = Model();
        var eh = Eh(untouched);
        SftTrainer.Train(untouched, Data, settings with { MtpLossWeight = 0 });
        Assert.Equal(eh, Eh(untouched));
    }
}
