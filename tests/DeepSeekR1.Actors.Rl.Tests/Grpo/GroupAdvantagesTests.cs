using DeepSeekR1.Actors.Rl.Grpo;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

public class GroupAdvantagesTests
{
    [Fact]
    public void Binary_group_gets_plus_minus_one_with_population_std()
    {
        // mean 0.5; population std sqrt(((0.5)²·4)/4) = 0.5; (1 - 0.5)/0.5 = 1. (Sample std would give ±0.866.)
        var a = GroupAdvantages.Compute([1, 0, 0, 1], AdvantageScaling.GroupStd, eps: 0);
        Assert.Equal([1.0, -1.0, -1.0, 1.0], a);
    }

    [Fact]
    public void Epsilon_is_added_to_the_std()
    {
        var a = GroupAdvantages.Compute([1, 0, 0, 1], AdvantageScaling.GroupStd, eps: 1e-4);
        Assert.Equal(0.5 / 0.5001, a[0], 12);
        Assert.Equal(-0.5 / 0.5001, a[1], 12);
    }

    [Fact]
    public void Unbalanced_group_is_scaled_by_its_own_std()
    {
        // [0, 0, 1]: mean 1/3, variance (1/9 + 1/9 + 4/9)/3 = 2/9, std √2/3 => A = [-1/√2, -1/√2, √2].
        var a = GroupAdvantages.Compute([0, 0, 1], AdvantageScaling.GroupStd, eps: 0);
        Assert.Equal(-1 / Math.Sqrt(2), a[0], 12);
        Assert.Equal(-1 / Math.Sqrt(2), a[1], 12);
        Assert.Equal(Math.Sqrt(2), a[2], 12);
    }

    [Theory]
    [InlineData(AdvantageScaling.GroupStd)]
    [InlineData(AdvantageScaling.BatchStd)]
    [InlineData(AdvantageScaling.None)]
    public void Zero_variance_group_gets_exactly_zero(AdvantageScaling scaling)
    {
        // 0.1 has no exact binary form: the computed mean of three copies differs from 0.1 in the last bit,
        // and a naive (r - mean)/(0 + eps) would turn that residue into a non-zero advantage.
        var a = GroupAdvantages.Compute([0.1, 0.1, 0.1], scaling, eps: 1e-12);
        Assert.All(a, x => Assert.Equal(0.0, x));
        Assert.All(GroupAdvantages.Compute([1, 1], scaling), x => Assert.Equal(0.0, x));
    }

    [Fact]
    public void None_scaling_only_centres()
    {
        Assert.Equal([0.5, -0.5, -0.5, 0.5], GroupAdvantages.Compute([1, 0, 0, 1], AdvantageScaling.None));
        Assert.Equal([-1.0, 1.0], GroupAdvantages.Compute([2, 4], AdvantageScaling.None));
    }

    [Fact]
    public void Batch_std_uses_one_std_over_all_rewards_and_the_mean_of_each_group()
    {
        // Batch [1, 0 | 4, 0 | 5, 5]: batch mean 2.5, squared deviations 2.25 + 6.25 + 2.25 + 6.25 + 6.25 + 6.25 = 29.5,
        // population std √(29.5/6). Group means 0.5, 2, 5.
        var std = Math.Sqrt(29.5 / 6);
        var a = GroupAdvantages.ComputeBatch([[1, 0], [4, 0], [5, 5]], AdvantageScaling.BatchStd, eps: 0);
        Assert.Equal(0.5 / std, a[0][0], 12);
        Assert.Equal(-0.5 / std, a[0][1], 12);
        Assert.Equal(2 / std, a[1][0], 12);
        Assert.Equal(-2 / std, a[1][1], 12);
        Assert.Equal([0.0, 0.0], a[2]);
    }

    [Fact]
    public void Group_std_in_batch_form_scales_each_group_separately()
    {
        var a = GroupAdvantages.ComputeBatch([[1, 0], [4, 0], [5, 5]], AdvantageScaling.GroupStd, eps: 0);
        Assert.Equal([1.0, -1.0], a[0]);
        Assert.Equal([1.0, -1.0], a[1]);
        Assert.Equal([0.0, 0.0], a[2]);
    }

    [Fact]
    public void Batch_std_on_a_single_group_equals_group_std()
    {
        double[] rewards = [0.2, 0.9, 0.4, 0.4, 1.0];
        Assert.Equal(
            GroupAdvantages.Compute(rewards, AdvantageScaling.GroupStd),
            GroupAdvantages.Compute(rewards, AdvantageScaling.BatchStd));
    }

    [Fact]
    public void Single_output_and_empty_groups_are_defined()
    {
        Assert.Equal([0.0], GroupAdvantages.Compute([0.7], AdvantageScaling.GroupStd));
        Assert.Empty(GroupAdvantages.Compute([], AdvantageScaling.GroupStd));
    }

    [Fact]
    public void Non_finite_rewards_and_negative_eps_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => GroupAdvantages.Compute([1, double.NaN], AdvantageScaling.GroupStd));
        Assert.Throws<ArgumentException>(() => GroupAdvantages.Compute([1, double.PositiveInfinity], AdvantageScaling.None));
        Assert.Throws<ArgumentException>(() => GroupAdvantages.Compute([1, 0], AdvantageScaling.GroupStd, eps: -1));
    }
}
