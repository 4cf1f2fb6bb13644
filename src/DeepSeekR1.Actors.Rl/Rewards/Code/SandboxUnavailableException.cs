namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>
/// The sandbox cannot run here (bubblewrap missing, user namespaces disabled, no Python under /usr). The code reward
/// then refuses to start (the CLI exits with code 3); it never runs model output outside the sandbox.
/// </summary>
public sealed class SandboxUnavailableException(string message) : NotSupportedException(message);
