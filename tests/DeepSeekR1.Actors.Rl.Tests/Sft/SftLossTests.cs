using DeepSeekR1.Actors.Rl.Sft;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Sft;

public class SftLossTests
{
    private static readonly SftExample Short = TinyPolicy.Example([5, 6, 7], [8, 9, 2]);
    private static readonly SftExample Long = TinyPolicy.Example([10, 11, 12, 13, 14], [15, 16, 17, 18, 2]);

    [Fact]
    public void Scored_marks_exactly_the_completion_positions_and_padding_is_invalid()
    {
        using var batch = SftBatch.Build([Short, Long], padId: 0, maxSeqLen: 64);
        Assert.Equal(new long[] { 2, 10 }, batch.Ids.shape);
        bool[] scored = batch.Scored.data<bool>().ToArray();
        bool[] valid = batch.Valid.data<bool>().ToArray();
        // Row 0: 3 prompt, 3 completion, 4 padding. Row 1: 5 prompt, 5 completion.
        Assert.Equal([false, false, false, true, true, true, false, false, false, false], scored[..10]);
        Assert.Equal([true, true, true, true, true, true, false, false, false, false], valid[..10]);
        Assert.Equal([false, false, false, false, false, true, true, true, true, true], scored[10..]);
        Assert.Equal(16, batch.Tokens);
    }

    [Fact]
    public void Loss_is_the_mean_nll_of_completion_tokens_only()
    {
        using var scope = NewDisposeScope();
        using var model = TinyPolicy.Create();
        using var batch = SftBatch.Build([Short, Long], padId: 0, maxSeqLen: 64);
        double loss = SftLoss.Compute(model, batch).item<float>();

        // Reference from the full logits: -log p(token t | < t) at every position t, averaged over a chosen set.
        var positions = arange(batch.Ids.shape[1]).unsqueeze(0).expand(batch.Ids.shape[0], -1);
        var logProbs = model.Forward(batch.Ids, positions, batch.Valid).log_softmax(-1);
        double Nll(int row, int t) => -logProbs[row, t - 1, batch.Ids[row, t].item<long>()].item<float>();
        double completionOnly = new[] { Nll(0, 3), Nll(0, 4), Nll(0, 5), Nll(1, 5), Nll(1, 6), Nll(1, 7), Nll(1, 8), Nll(1, 9) }.Average();
        double withPrompt = new[] { Nll(0, 1), Nll(0, 2), Nll(1, 1), Nll(1, 2), Nll(1, 3), Nll(1, 4) }.Sum();
        withPrompt = (withPrompt + completionOnly * 8) / 14;

        Assert.Equal(completionOnly, loss, 4);
        Assert.NotEqual(withPrompt, loss, 3);
    }

    [Fact]
    public void Prompt_token_likelihoods_get_no_gradient()
    {
        using var scope = NewDisposeScope();
        using var model = TinyPolicy.Create();
        using var batch = SftBatch.Build([Short], padId: 0, maxSeqLen: 64);
        // Make the model's output at every position a free leaf, then push the batch's loss through the same
        // masking SftLoss applies: logits that score prompt tokens must get exactly zero gradient.
        var positions = arange(6).unsqueeze(0);
        var logits = model.Forward(batch.Ids, positions, batch.Valid).detach().requires_grad_(true);
        var target = batch.Scored.narrow(1, 1, 5).to_type(ScalarType.Float32);
        var lp = logits.narrow(1, 0, 5).log_softmax(-1).gather(-1, batch.Ids.narrow(1, 1, 5).unsqueeze(-1)).squeeze(-1);
        var loss = -(lp * target).sum() / target.sum();
        loss.backward();
        var grad = logits.grad!;
        Assert.Equal(0f, grad[0, 0].abs().sum().item<float>());   // scores prompt token 1
        Assert.Equal(0f, grad[0, 1].abs().sum().item<float>());   // scores prompt token 2
        Assert.True(grad[0, 2].abs().sum().item<float>() > 0);    // scores completion token 3
        Assert.Equal(loss.item<float>(), SftLoss.Compute(model, batch).item<float>(), 4);
    }

    [Fact]
    public void Padding_does_not_change_an_examples_contribution()
    {
        using var scope = NewDisposeScope();
        using var model = TinyPolicy.Create();
        double Loss(params SftExample[] examples)
        {
            using var batch = SftBatch.Build(examples, padId: 0, maxSeqLen: 64);
            return SftLoss.Compute(model, batch).item<float>();
        }
        // Token mean: the pair's loss is the completion-token-weighted mean of the two alone, though Short is padded
        // with 4 pad tokens in the pair and not at all alone.
        double expected = (Loss(Short) * 3 + Loss(Long) * 5) / 8;
        Assert.Equal(expected, Loss(Short, Long), 4);

        // Padding with a different id changes nothing either.
        using var pair0 = SftBatch.Build([Short, Long], padId: 0, maxSeqLen: 64);
        using var pair9 = SftBatch.Build([Short, Long], padId: 9, maxSeqLen: 64);
        Assert.Equal(SftLoss.Compute(model, pair0).item<float>(), SftLoss.Compute(model, pair9).item<float>(), 5);
    }
}
