namespace DeepSeekR1.Actors.Rl.Optim;

/// <summary>
/// Learning rate per optimizer step: linear warmup, then constant or cosine decay. Warmup exists because Adam's
/// second-moment estimate is poor for the first steps, and a full-size step on it can wreck a pretrained policy.
/// </summary>
/// <remarks>
/// Steps are 0-based. Warmup step s (s &lt; warmup) uses peak × (s + 1) / warmup, so the first step already
/// learns something and step warmup - 1 reaches the peak. Cosine decay then runs over steps
/// [warmup, totalSteps]: lr = min + (peak - min) × (1 + cos(π · (s - warmup) / (totalSteps - warmup))) / 2,
/// with min = peak × minRatio, and holds min after totalSteps.
/// </remarks>
public sealed class LrSchedule
{
    /// <summary>Creates a schedule.</summary>
    /// <param name="peakLearningRate">The learning rate after warmup (R1 reports 3e-6).</param>
    /// <param name="warmupSteps">Steps of linear warmup; 0 for none.</param>
    /// <param name="decay">What happens after warmup.</param>
    /// <param name="totalSteps">Step at which cosine decay reaches its floor; must exceed <paramref name="warmupSteps"/> for cosine, ignored for constant.</param>
    /// <param name="minRatio">The cosine floor as a fraction of the peak, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public LrSchedule(double peakLearningRate, int warmupSteps = 0, LrDecay decay = LrDecay.Constant, int totalSteps = 0, double minRatio = 0.0)
    {
        if (!(peakLearningRate > 0) || !double.IsFinite(peakLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(peakLearningRate), peakLearningRate, "The peak learning rate must be a positive number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (!(minRatio >= 0 && minRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minRatio), minRatio, "The minimum ratio must be in [0, 1].");
        }

        if (decay == LrDecay.Cosine && totalSteps <= warmupSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "Cosine decay needs more total steps than warmup steps.");
        }

        PeakLearningRate = peakLearningRate;
        WarmupSteps = warmupSteps;
        Decay = decay;
        TotalSteps = totalSteps;
        MinRatio = minRatio;
    }

    /// <summary>The learning rate after warmup.</summary>
    public double PeakLearningRate { get; }

    /// <summary>Steps of linear warmup.</summary>
    public int WarmupSteps { get; }

    /// <summary>What happens after warmup.</summary>
    public LrDecay Decay { get; }

    /// <summary>Step at which cosine decay reaches its floor.</summary>
    public int TotalSteps { get; }

    /// <summary>The cosine floor as a fraction of the peak.</summary>
    public double MinRatio { get; }

    /// <summary>The learning rate for a step.</summary>
    /// <param name="step">0-based optimizer step.</param>
    /// <returns>The learning rate to use for that step.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return PeakLearningRate * (step + 1) / WarmupSteps;
        }

        if (Decay == LrDecay.Constant)
        {
            return PeakLearningRate;
        }

        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        var floor = PeakLearningRate * MinRatio;
        return floor + (PeakLearningRate - floor) * 0.5 * (1.0 + Math.Cos(Math.PI * progress));
    }
}
