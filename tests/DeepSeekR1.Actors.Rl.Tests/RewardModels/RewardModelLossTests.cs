using DeepSeekR1.Actors.Rl.RewardModels;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.RewardModels;

public class RewardModelLossTests
{
    [Fact]
    public void Bradley_terry_is_the_mean_of_minus_log_sigmoid_of_the_margins()
    {
        using var chosen = tensor(new[] { 2f, 0f, -1f });
        using var rejected = tensor(new[] { 1f, 0f, 3f });
        using var loss = RewardModelLoss.BradleyTerry(chosen, rejected);
        double expected = new[] { 1.0, 0.0, -4.0 }.Select(m => -Math.Log(1 / (1 + Math.Exp(-m)))).Average();
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void Bradley_terry_of_equal_scores_is_log_two_and_its_gradient_pushes_chosen_up()
    {
        using var chosen = zeros(4, requires_grad: true);
        using var rejected = zeros(4, requires_grad: true);
        using var loss = RewardModelLoss.BradleyTerry(chosen, rejected);
        Assert.Equal(Math.Log(2), loss.item<float>(), 5);
        loss.backward();
        Assert.All(chosen.grad!.data<float>().ToArray(), g => Assert.Equal(-0.125f, g, 5));   // -sigmoid(0)/n
        Assert.All(rejected.grad!.data<float>().ToArray(), g => Assert.Equal(0.125f, g, 5));
    }

    [Fact]
    public void Bradley_terry_stays_finite_for_huge_margins()
    {
        using var loss = RewardModelLoss.BradleyTerry(tensor(new[] { -1000f }), tensor(new[] { 1000f }));
        Assert.Equal(2000, loss.item<float>(), 1);
    }

    [Fact]
    public void Pointwise_bce_matches_the_formula_for_safe_and_unsafe_labels()
    {
        using var scores = tensor(new[] { 1.5f, -0.5f });
        using var safe = tensor(new[] { 1f, 0f });
        using var loss = RewardModelLoss.PointwiseBce(scores, safe);
        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        double expected = (-Math.Log(Sigmoid(1.5)) - Math.Log(1 - Sigmoid(-0.5))) / 2;
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void Accuracies_count_ties_as_misses_and_read_a_positive_score_as_safe()
    {
        Assert.Equal(0.5, RewardModelLoss.PairwiseAccuracy(tensor(new[] { 1f, 0f }), tensor(new[] { 0f, 0f })));
        Assert.Equal(2.0 / 3, RewardModelLoss.ClassificationAccuracy(tensor(new[] { 1f, -1f, 1f }), tensor(new[] { 1f, 0f, 0f })), 6);
    }

    [Fact]
    public void Mismatched_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RewardModelLoss.BradleyTerry(zeros(2), zeros(3)));
    }
}
