using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Training;

/// <summary>
/// The two gradient operations a norm split over several owners needs (the learner and each expert shard): each owner
/// reports its share of the squared norm and scales its own gradients by the common clip factor.
/// </summary>
public static class Gradients
{
    /// <summary>The sum of squared gradient entries of <paramref name="parameters"/> (in double); parameters without a gradient add nothing.</summary>
    public static double SquaredNorm(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        double total = 0;
        foreach (var p in parameters)
            if (p.grad is { } g) total += g.to_type(ScalarType.Float64).square().sum().item<double>();
        return total;
    }

    /// <summary>Multiplies every gradient of <paramref name="parameters"/> by <paramref name="factor"/> (nothing when it is 1).</summary>
    public static void Scale(IEnumerable<Parameter> parameters, double factor)
    {
        if (factor == 1.0) return;
        using var noGrad = no_grad();
        foreach (var p in parameters) p.grad?.mul_(factor);
    }
}
