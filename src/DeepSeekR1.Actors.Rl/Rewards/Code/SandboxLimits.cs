namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>
/// What one sandboxed run may use (docs/sandbox.md). The wall clock is enforced from C#; the others are kernel resource
/// limits set with <c>prlimit</c> inside the sandbox, except the size of /tmp (a tmpfs) and the output cap (read side).
/// </summary>
/// <param name="WallClock">Deadline of the whole run; past it the sandbox and every process in it are killed.</param>
/// <param name="CpuSeconds">RLIMIT_CPU of each process.</param>
/// <param name="AddressSpaceBytes">RLIMIT_AS of each process.</param>
/// <param name="Processes">RLIMIT_NPROC: processes and threads of the sandbox's user in its own user namespace.</param>
/// <param name="OpenFiles">RLIMIT_NOFILE of each process.</param>
/// <param name="FileSizeBytes">RLIMIT_FSIZE: the largest file a process may write.</param>
/// <param name="TmpBytes">Size of the writable /tmp.</param>
/// <param name="OutputBytes">Most bytes of stdout and stderr read; more kills the run.</param>
/// <param name="Uid">The unprivileged uid and gid the sandbox runs as when the caller is root.</param>
/// <param name="Bwrap">The bubblewrap binary.</param>
/// <param name="Python">The Python interpreter (under /usr, the one system folder bound).</param>
public sealed record SandboxLimits(
    TimeSpan WallClock, int CpuSeconds, long AddressSpaceBytes, int Processes, int OpenFiles, long FileSizeBytes,
    long TmpBytes, int OutputBytes, int Uid, string Bwrap, string Python);
