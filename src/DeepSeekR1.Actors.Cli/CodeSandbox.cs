using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Cli;

/// <summary>
/// Starts the code reward for commands whose task is a code task, before anything else runs: a missing or broken
/// bubblewrap stops the command at once with exit code 3 (<see cref="SandboxUnavailableException"/>), never later and
/// never with code run unsandboxed.
/// </summary>
internal static class CodeSandbox
{
    /// <summary>The code reward with <c>r1.rewards.code</c>, when <paramref name="task"/> is the code task; null otherwise.</summary>
    public static CodeRewards? For(R1Config config, ITaskSource task) => IsCode(task.Name) ? Start(config) : null;

    /// <summary>Whether a task name (<c>code</c>, <c>code:...</c>) is the code task.</summary>
    public static bool IsCode(string taskName) =>
        taskName.Split(':')[0].Equals(TaskCatalog.Code, StringComparison.OrdinalIgnoreCase);

    /// <summary>The code reward with <c>r1.rewards.code</c>, its sandbox checked.</summary>
    public static CodeRewards Start(R1Config config)
    {
        var settings = config.Bind<CodeRewardSettings>("r1.rewards.code");
        try
        {
            return CodeRewards.Start(settings);
        }
        catch (ArgumentException error)
        {
            throw new ConfigException(error.Message);
        }
    }
}
