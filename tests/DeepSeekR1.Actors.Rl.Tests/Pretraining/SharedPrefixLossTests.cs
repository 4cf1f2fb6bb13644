using DeepSeekR1.Actors.Rl.Pretraining;
using DeepSeekR1.Actors.Rl.Sft;
using DeepSeekR1.Actors.Rl.Tests.Sft;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Pretraining;

public class SharedPrefixLossTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // multi-head latent attention: the prefix is cached as latent rows
    public void Running_the_prefix_once_gives_the_loss_and_gradients_of_whole_documents(bool latent)
    {
        using var scope = NewDisposeScope();
        int[] prefix = [3, 4, 5, 6];
        SftExample[] suffixes = [TinyPolicy.Example([7, 8], [9, 10, 2]), TinyPolicy.Example([11], [12, 13, 14, 15, 2])];
        var whole = suffixes.Select(s => new SftExample([.. prefix, .. s.PromptIds], s.CompletionIds)).ToArray();

        var config = latent
            ? TinyPolicy.Config() with { Attention = Model.Policy.AttentionKind.Mla, KvLoraRank = 12, QkNopeHeadDim = 8, QkRopeHeadDim = 4, VHeadDim = 8, QLoraRank = 0 }
            : TinyPolicy.Config();
        using var a = new Model.Policy.PolicyModel(config, seed: 7);
        using var batch = SftBatch.Build(whole, padId: 0, maxSeqLen: 64);
        var full = SftLoss.Compute(a, batch);
        full.backward();

        using var b = new Model.Policy.PolicyModel(config, seed: 7);
        var (shared, tokens) = new SharedPrefixLoss(prefix).Compute(b, suffixes, 64);
        shared.backward();

        Assert.Equal(full.item<float>(), shared.item<float>(), 4);
        Assert.Equal(batch.Tokens, tokens);
        // Gradients agree except that the prefix's own keys and values get none; the output head / embedding, which
        // every scored token reaches directly, must agree closely.
        var gradA = a.Decoder.Embeddings.weight!.grad!;
        var gradB = b.Decoder.Embeddings.weight!.grad!;
        Assert.True(gradB.abs().sum().item<float>() > 0);
        // Rows of tokens that occur only after the prefix get identical gradients.
        foreach (int token in new[] { 9, 10, 12, 13, 14, 15 })
            Assert.True(allclose(gradA[token], gradB[token], rtol: 1e-3, atol: 1e-5), $"embedding row {token}");
    }
}
