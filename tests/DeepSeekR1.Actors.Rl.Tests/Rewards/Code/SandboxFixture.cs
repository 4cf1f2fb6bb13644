using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards.Code;

/// <summary>The sandbox tests run one class at a time: each counts the processes of the sandbox's user before and after.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Sandbox";
}

/// <summary>
/// One started code reward for the sandbox tests, with short limits so that hostile programs end fast: a 2 s deadline
/// and 1 CPU second. It is the real sandbox (bubblewrap, prlimit, python3); the tests run as CI runs them, as root here.
/// </summary>
public sealed class SandboxFixture
{
    public SandboxFixture()
    {
        Settings = CodeRewardSettings.Defaults with { Deadline = TimeSpan.FromSeconds(2), CpuSeconds = 1 };
        Rewards = CodeRewards.Start(Settings);
        Fraction = CodeRewards.Start(Settings with { Scoring = CodeScoring.Fraction });
    }

    public CodeRewardSettings Settings { get; }

    /// <summary>All-pass scoring.</summary>
    public CodeRewards Rewards { get; }

    /// <summary>Passed-fraction scoring.</summary>
    public CodeRewards Fraction { get; }

    /// <summary>A task whose tests call <c>add(a, b)</c>.</summary>
    public static TaskItem Add { get; } = new("add", "Write add(a, b).", "assert add(1, 2) == 3\nassert add(2, 2) == 4\nassert add(-1, 1) == 0", AnswerKind.Code);

    /// <summary>
    /// Waits until no more processes of the sandbox's uid exist than <paramref name="before"/> (the kernel tears a killed
    /// PID namespace down just after its PID 1 dies, so this is given 5 s on a busy machine); false if some are still there then.
    /// </summary>
    public bool NoneLeftBeyond(int before)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ProcessesOfSandboxUser() > before)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5)) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>Processes of the sandbox's uid now on this machine (a run must leave none behind).</summary>
    public int ProcessesOfSandboxUser()
    {
        int count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var uid = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uid is not null && uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == Settings.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture)) count++;
            }
            catch (IOException) { } // the process ended while we looked
            catch (UnauthorizedAccessException) { }
        }
        return count;
    }
}
