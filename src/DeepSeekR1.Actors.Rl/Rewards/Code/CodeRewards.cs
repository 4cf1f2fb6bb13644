using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>
/// The code reward's accuracy rule: runs a program against its task's tests in the <see cref="Sandbox"/> and scores
/// all-pass or the passed fraction (<see cref="CodeScoring"/>). At most <c>max-parallel</c> sandboxes run at once in a
/// process, however many callers score at the same time. Thread-safe; never throws on what a program does.
/// </summary>
public sealed class CodeRewards
{
    private readonly SemaphoreSlim slots;

    private CodeRewards(CodeRewardSettings settings, Sandbox sandbox)
    {
        Settings = settings;
        Sandbox = sandbox;
        slots = new SemaphoreSlim(settings.MaxParallel, settings.MaxParallel);
    }

    /// <summary>The settings in use.</summary>
    public CodeRewardSettings Settings { get; }

    /// <summary>The sandbox programs run in.</summary>
    public Sandbox Sandbox { get; }

    /// <summary>The code reward with <paramref name="settings"/>, once the sandbox is known to work here.</summary>
    /// <exception cref="SandboxUnavailableException">bubblewrap is missing or does not work; nothing runs unsandboxed.</exception>
    /// <exception cref="ArgumentException">A setting is out of range (the message names its key).</exception>
    public static CodeRewards Start(CodeRewardSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new CodeRewards(settings.Validate(), Sandbox.Start(settings.Limits));
    }

    /// <summary>Scores <paramref name="program"/> against the tests in <paramref name="item"/>'s gold answer.</summary>
    public RewardResult Check(string program, TaskItem item)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(item);
        IReadOnlyList<CodeTest> tests;
        try
        {
            tests = CodeTests.Parse(item.Gold);
        }
        catch (FormatException error)
        {
            return RewardResult.Fail($"the task's tests are malformed: {error.Message}");
        }
        string nonce = CodeHarness.NewNonce();
        SandboxRun run;
        slots.Wait();
        try
        {
            run = Sandbox.Run(CodeHarness.Arguments(Settings.Deadline), CodeHarness.Input(program, tests, nonce));
        }
        finally
        {
            slots.Release();
        }
        if (run.End != SandboxEnd.Exited)
            return RewardResult.Fail(run.Describe(Sandbox.Limits));
        if (CodeHarness.Read(run.Output, nonce, tests.Count) is not { } report)
            return RewardResult.Fail($"no test result from the sandbox ({run.Describe(Sandbox.Limits)})");
        return Score(report);
    }

    /// <summary>The reward for a harness report under the configured scoring.</summary>
    public RewardResult Score(HarnessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        int total = report.Passed.Count, passed = report.Passed.Count(p => p);
        if (passed == total)
            return RewardResult.Pass($"{total}/{total} tests passed");
        int failed = report.Passed.ToList().IndexOf(false);
        string reason = $"{passed}/{total} tests passed; test {failed + 1}: {report.Reasons[failed]}";
        double value = Settings.Scoring == CodeScoring.Fraction ? (double)passed / total : 0.0;
        return new RewardResult(value, reason);
    }
}
