using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Optim;

/// <summary>Gradient clipping by the global L2 norm over all parameters, the standard guard against a rare huge update.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / ‖g‖), where ‖g‖ is the L2 norm of all gradients taken together,
    /// so the update direction is kept and only its length is capped. Parameters without a gradient are skipped.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="maxNorm">The largest allowed global norm; must be positive.</param>
    /// <returns>
    /// The global norm before clipping (the value worth logging). It is NaN or infinite when a gradient is; the
    /// caller should then skip the optimizer step rather than apply a poisoned update.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive.</exception>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        }

        // libtorch's clip_grad_norm_ (through TorchSharp) computes the norm once and scales in place.
        return nn.utils.clip_grad_norm_(parameters.ToList(), maxNorm, norm_type: 2.0);
    }

    /// <summary>The factor clipping to <paramref name="maxNorm"/> scales by: min(1, maxNorm / (norm + 1e-6)), as libtorch's; 1 for a non-finite norm (the caller refuses that step).</summary>
    public static double Coefficient(double norm, double maxNorm) =>
        double.IsFinite(norm) ? Math.Min(1.0, maxNorm / (norm + 1e-6)) : 1.0;
}
