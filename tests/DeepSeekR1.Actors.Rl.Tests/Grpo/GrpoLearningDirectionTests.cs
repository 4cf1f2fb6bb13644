using DeepSeekR1.Actors.Rl.Grpo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

/// <summary>End to end on free logits: minimising the loss makes rewarded outputs likelier and punished ones rarer.</summary>
public class GrpoLearningDirectionTests
{
    [Fact]
    public void Sgd_steps_raise_positive_advantage_tokens_and_lower_negative_ones()
    {
        using var scope = NewDisposeScope();
        const int B = 2, T = 3, V = 4;
        // One free logit vector per position, all starting uniform (each token has probability 1/4).
        var logits = new Parameter(zeros(B, T, V, ScalarType.Float64));
        var tokens = tensor(new long[] { 0, 1, 2, 3, 3, 1 }, [B, T]);
        var advantages = LossTensors.Vector(1.0, -1.0);
        var mask = ones(B, T);
        var sgd = optim.SGD([logits], 0.5);
        var options = new GrpoLossOptions { Beta = 0 };

        Tensor TokenLogProbs() => nn.functional.log_softmax(logits, -1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1);

        var previous = LossTensors.Flat(TokenLogProbs().exp());
        for (var step = 0; step < 5; step++)
        {
            using var stepScope = NewDisposeScope();
            sgd.zero_grad();
            var logp = TokenLogProbs();
            // A fresh rollout each step: the sampling policy is the current one.
            var result = GrpoLoss.Compute(logp, logp.detach(), null, advantages, mask, options);
            result.Loss.backward();
            sgd.step();

            var probs = LossTensors.Flat(TokenLogProbs().exp());
            for (var t = 0; t < T; t++)
            {
                Assert.True(probs[t] > previous[t], $"step {step}: rewarded token {t} did not become likelier");
                Assert.True(probs[T + t] < previous[T + t], $"step {step}: punished token {t} did not become rarer");
            }

            previous = probs;
        }

        Assert.All(previous.Take(T), p => Assert.True(p > 0.25));
        Assert.All(previous.Skip(T), p => Assert.True(p < 0.25));
    }
}
