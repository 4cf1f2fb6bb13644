using DeepSeekR1.Actors.Rl.Pretraining;
using DeepSeekR1.Actors.Rl.Sft;
using DeepSeekR1.Actors.Rl.Tests.Sft;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Pretraining;

public class SharedPrefixLossTests
{
    [Fact]
    public void Running_the_prefix_once_gives_the_loss_and_gradients_of_whole_documents()
    {
        using var scope = NewDisposeScope();
        int[] prefix = [3, 4, 5, 6];
        SftExample[] suffixes = [TinyPolicy.Example([7, 8], [9, 10, 2]), TinyPolicy.Example([11], [12, 13, 14, 15, 2])];
        var whole = suffixes.Select(s => new SftExample([.. prefix, .. s.PromptIds], s.CompletionIds)).ToArray();

        using var a = TinyPolicy.Create();
        using var batch = SftBatch.Build(whole, padId: 0, maxSeqLen: 64);
        var full = SftLoss.Compute(a, batch);
        full.backward();

        using var b = TinyPolicy.Create();
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
