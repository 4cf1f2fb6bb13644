using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>How a code answer's score is formed from its tests.</summary>
public enum CodeScoring
{
    /// <summary>1 when every test passes, else 0: the paper's rule-based accuracy reward.</summary>
    AllPass,

    /// <summary>The share of tests passed (a denser signal; a program that passes 2 of 3 tests scores 0.67).</summary>
    Fraction,
}

/// <summary>
/// The code reward and its sandbox (HOCON section <c>r1.rewards.code</c>; defaults and comments in <c>hocon/grpo.conf</c>;
/// docs/sandbox.md explains each limit).
/// </summary>
public sealed record CodeRewardSettings
{
    /// <summary>The shipped defaults, the only place they live.</summary>
    public static CodeRewardSettings Defaults => ShippedDefaults.Bind<CodeRewardSettings>("r1.rewards.code");

    /// <summary>All tests pass, or the passed fraction.</summary>
    public required CodeScoring Scoring { get; init; }
    /// <summary>Sandbox runs at once in one process.</summary>
    public required int MaxParallel { get; init; }
    /// <summary>Verifier entities code answers are spread over in the actor engine.</summary>
    public required int VerifierShards { get; init; }
    /// <summary>Wall-clock deadline of one run.</summary>
    public required TimeSpan Deadline { get; init; }
    /// <summary>CPU seconds of each sandboxed process.</summary>
    public required int CpuSeconds { get; init; }
    /// <summary>Address space of each sandboxed process, in MiB.</summary>
    public required int MemoryMib { get; init; }
    /// <summary>Processes and threads the sandbox may hold.</summary>
    public required int Processes { get; init; }
    /// <summary>Open file descriptors per process.</summary>
    public required int OpenFiles { get; init; }
    /// <summary>Largest file a process may write, in MiB.</summary>
    public required int FileSizeMib { get; init; }
    /// <summary>Size of the sandbox's writable /tmp, in MiB.</summary>
    public required int TmpSizeMib { get; init; }
    /// <summary>Output read from one run, in KiB.</summary>
    public required int OutputKib { get; init; }
    /// <summary>The uid and gid the sandbox runs as when r1 runs as root.</summary>
    public required int Uid { get; init; }
    /// <summary>The bubblewrap binary.</summary>
    public required string Bwrap { get; init; }
    /// <summary>The Python interpreter.</summary>
    public required string Python { get; init; }

    /// <summary>The sandbox's limits.</summary>
    public SandboxLimits Limits => new(Deadline, CpuSeconds, MemoryMib * 1024L * 1024, Processes, OpenFiles,
        FileSizeMib * 1024L * 1024, TmpSizeMib * 1024L * 1024, OutputKib * 1024, Uid, Bwrap, Python);

    /// <summary>Checks ranges and names the first bad key.</summary>
    public CodeRewardSettings Validate()
    {
        static void Require(bool ok, string key, string why)
        {
            if (!ok) throw new ArgumentException($"r1.rewards.code.{key} {why}", key);
        }
        Require(MaxParallel > 0, "max-parallel", "must be positive");
        Require(VerifierShards > 0, "verifier-shards", "must be positive");
        Require(Deadline > TimeSpan.Zero, "deadline", "must be positive");
        Require(CpuSeconds > 0, "cpu-seconds", "must be positive");
        Require(MemoryMib >= 64, "memory-mib", "must be at least 64 (python3 alone needs about 30 MiB of address space)");
        Require(Processes >= 4, "processes", "must be at least 4 (the sandbox's init, the harness and the program)");
        Require(OpenFiles >= 16, "open-files", "must be at least 16");
        Require(FileSizeMib > 0, "file-size-mib", "must be positive");
        Require(TmpSizeMib > 0, "tmp-size-mib", "must be positive");
        Require(OutputKib > 0, "output-kib", "must be positive");
        Require(Uid > 0, "uid", "must be a non-root uid (root is exempt from the process limit)");
        Require(Path.IsPathRooted(Bwrap), "bwrap", "must be an absolute path");
        Require(Path.IsPathRooted(Python) && Python.StartsWith("/usr/", StringComparison.Ordinal), "python", "must be an absolute path under /usr (the only system folder the sandbox binds)");
        return this;
    }
}
