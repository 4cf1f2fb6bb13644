using System.CommandLine;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.Rewards.Code;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary>
/// Commands on the code task check the sandbox first: without a working bubblewrap they stop before reading data or
/// loading a model, with <see cref="SandboxUnavailableException"/> (exit code 3 in Program.cs), and run nothing.
/// </summary>
public sealed class CodeSandboxCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-code-cli-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static int Run(Command command, params string[] args) => new RootCommand { command }.Parse(args)
        .Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter(), EnableDefaultExceptionHandler = false });

    [Fact]
    public void Reward_score_on_code_refuses_to_start_without_bubblewrap()
    {
        string input = Path.Combine(folder, "in.jsonl");
        File.WriteAllText(input, "{\"gold\": \"assert f() == 1\", \"completion\": \"<answer>def f(): return 1</answer>\"}\n");

        var error = Assert.Throws<SandboxUnavailableException>(() =>
            Run(RewardCommand.Create(), "reward", "score", "--task", "code", "--input", input, "--set", "r1.rewards.code.bwrap=/nonexistent/bwrap"));

        Assert.Contains("bubblewrap is not installed at /nonexistent/bwrap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_on_code_checks_the_sandbox_before_it_loads_the_checkpoint()
    {
        // The checkpoint does not exist: the sandbox's refusal comes first, so nothing was loaded.
        Assert.Throws<SandboxUnavailableException>(() =>
            Run(EvalCommand.Create(), "eval", "--task", "code", "--checkpoint", Path.Combine(folder, "missing"), "--set", "r1.rewards.code.bwrap=/nonexistent/bwrap"));
    }

    [Fact]
    public void A_bad_code_reward_setting_is_a_configuration_error_that_names_its_key()
    {
        string input = Path.Combine(folder, "in.jsonl");
        File.WriteAllText(input, "\n");

        var error = Assert.Throws<ConfigException>(() =>
            Run(RewardCommand.Create(), "reward", "score", "--task", "code", "--input", input, "--set", "r1.rewards.code.max-parallel=0"));

        Assert.Contains("r1.rewards.code.max-parallel", error.Message, StringComparison.Ordinal);
    }
}
