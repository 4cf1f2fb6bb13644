using System.Diagnostics;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// The time budget of one <see cref="MathAnswer.AreEquivalent(string?, string?, TimeSpan)"/> call. The step, size and
/// depth limits already bound the work on every input the tests know; the clock is the backstop for the one they do
/// not, so that a pathological answer costs one sample its reward instead of stalling the verifier that scores a whole
/// group. The parser and the evaluators check it as they go; running out raises <see cref="VerifierTimeoutException"/>.
/// The deadline is per thread because one check runs synchronously on one thread, and it is ambient so that it need
/// not be passed through every static helper of the parser.
/// </summary>
internal static class VerifierClock
{
    [ThreadStatic]
    private static long _deadline;

    [ThreadStatic]
    private static long _budgetMilliseconds;

    /// <summary>Starts a budget of <paramref name="budget"/> for this thread; dispose the result to restore the previous one.</summary>
    public static Scope Start(TimeSpan budget)
    {
        var scope = new Scope(_deadline, _budgetMilliseconds);
        var ticks = Math.Max(0, budget.TotalSeconds) * Stopwatch.Frequency;
        _deadline = Stopwatch.GetTimestamp() + (long)Math.Min(ticks, long.MaxValue / 4);
        _budgetMilliseconds = (long)budget.TotalMilliseconds;
        return scope;
    }

    /// <summary>Throws <see cref="VerifierTimeoutException"/> when the current budget is spent; does nothing outside a budget.</summary>
    public static void Check()
    {
        if (_deadline != 0 && Stopwatch.GetTimestamp() >= _deadline)
            throw new VerifierTimeoutException($"timeout (over the {_budgetMilliseconds} ms budget)");
    }

    /// <summary>Restores the budget that was in force before <see cref="Start"/>.</summary>
    public readonly struct Scope(long previousDeadline, long previousBudget) : IDisposable
    {
        public void Dispose()
        {
            _deadline = previousDeadline;
            _budgetMilliseconds = previousBudget;
        }
    }
}

/// <summary>Raised when a verification runs past its <see cref="VerifierClock"/> budget; scored 0 with the reason <c>timeout</c>.</summary>
internal sealed class VerifierTimeoutException(string reason) : Exception(reason);
