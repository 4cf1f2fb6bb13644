using DeepSeekR1.Actors.Rl.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Optim;

public class OptimizerFactoryTests
{
    private static void Step(AdamW optimizer, Parameter p, double gradient)
    {
        optimizer.zero_grad();
        (p * gradient).sum().backward();
        optimizer.step();
    }

    [Fact]
    public void AdamW_uses_the_settings_and_the_learning_rate_set_each_step()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(new[] { 1.0 }));
        var settings = new AdamWSettings { LearningRate = 0.1, Beta1 = 0.9, Beta2 = 0.5, Eps = 1e-8, WeightDecay = 0.5 };
        using var optimizer = OptimizerFactory.CreateAdamW([p], settings);
        Assert.Equal(0.1, OptimizerFactory.LearningRate(optimizer));

        // Step 1, gradient 2: decay p by (1 - lr·wd) = 0.95; m̂ = 2, v̂ = 4, so the Adam step is lr · 2/2 = 0.1.
        Step(optimizer, p, 2.0);
        var afterFirst = 1.0 * (1 - 0.1 * 0.5) - 0.1 * 2.0 / (2.0 + 1e-8);
        Assert.Equal(afterFirst, p.data<double>()[0], 9);

        // Step 2 at lr 0.2, gradient 4: m = 0.9·0.2 + 0.1·4 = 0.58, m̂ = 0.58/(1 - 0.81);
        // v = 0.5·2 + 0.5·16 = 9, v̂ = 9/(1 - 0.25) = 12.
        OptimizerFactory.SetLearningRate(optimizer, 0.2);
        Assert.Equal(0.2, OptimizerFactory.LearningRate(optimizer));
        Step(optimizer, p, 4.0);
        var mHat = 0.58 / (1 - 0.81);
        var vHat = 9.0 / (1 - 0.25);
        var afterSecond = afterFirst * (1 - 0.2 * 0.5) - 0.2 * mHat / (Math.Sqrt(vHat) + 1e-8);
        Assert.Equal(afterSecond, p.data<double>()[0], 9);
    }

    [Fact]
    public void Zero_learning_rate_freezes_parameters()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(new[] { 1.0, -2.0 }));
        using var optimizer = OptimizerFactory.CreateAdamW([p], new AdamWSettings());
        OptimizerFactory.SetLearningRate(optimizer, 0.0);
        Step(optimizer, p, 3.0);
        Assert.Equal([1.0, -2.0], p.data<double>().ToArray());
    }
}
