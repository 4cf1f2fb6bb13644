namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// When to copy the current policy into the reference policy that the KL penalty pulls towards.
/// DeepSeek-R1 refreshed its reference every 400 steps so that the penalty keeps the policy near where it was
/// recently, not near the starting point, which would fight the long-horizon change RL is meant to produce.
/// </summary>
public sealed class ReferencePolicySchedule
{
    /// <summary>The interval DeepSeek-R1 reports.</summary>
    public const int R1RefreshEvery = 400;

    /// <summary>Creates a schedule.</summary>
    /// <param name="refreshEvery">Refresh after every this many completed optimizer steps; 0 means never (a frozen reference).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="refreshEvery"/> is negative.</exception>
    public ReferencePolicySchedule(int refreshEvery)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(refreshEvery);
        RefreshEvery = refreshEvery;
    }

    /// <summary>The refresh interval in optimizer steps; 0 means never.</summary>
    public int RefreshEvery { get; }

    /// <summary>Whether the reference should be replaced by the policy now.</summary>
    /// <param name="completedSteps">The number of optimizer steps completed so far (0 before the first).</param>
    /// <returns><c>true</c> at 400, 800, ... for an interval of 400; never at 0 (the reference already equals the policy).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completedSteps"/> is negative.</exception>
    public bool ShouldRefresh(long completedSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completedSteps);
        return RefreshEvery > 0 && completedSteps > 0 && completedSteps % RefreshEvery == 0;
    }

    /// <summary>
    /// The policy version the reference equals after <paramref name="completedSteps"/> steps: the last refresh, or 0
    /// (the initial policy) when there was none. A resumed learner loads that version; checkpoint retention keeps it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completedSteps"/> is negative.</exception>
    public long ReferenceVersion(long completedSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completedSteps);
        return RefreshEvery > 0 ? completedSteps / RefreshEvery * RefreshEvery : 0;
    }
}
