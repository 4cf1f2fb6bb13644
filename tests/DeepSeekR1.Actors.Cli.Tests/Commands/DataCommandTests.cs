using System.CommandLine;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary>`r1 data cold-start` writes what `r1 sft --data` reads, and refuses what it cannot generate.</summary>
public sealed class DataCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-data-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static int Run(params string[] args) => new RootCommand { DataCommand.Create() }.Parse(["data", "cold-start", .. args])
        .Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter(), EnableDefaultExceptionHandler = false });

    [Fact]
    public void Writes_the_requested_count_of_sft_pairs()
    {
        string path = Path.Combine(folder, "cold", "start.jsonl");
        Assert.Equal(0, Run("--task", "arithmetic:2", "--count", "25", "--out", path));
        var pairs = SftJsonl.Read(path).ToArray();
        Assert.Equal(25, pairs.Length);
        Assert.All(pairs, p => Assert.StartsWith(" <think> ", p.Completion));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Theory]
    [InlineData("countdown")]
    [InlineData("gsm8k")]
    public void Another_task_is_not_supported_and_says_what_to_do_instead(string task)
    {
        var error = Assert.Throws<NotSupportedException>(() => Run("--task", task, "--out", Path.Combine(folder, "x.jsonl")));
        Assert.Contains("r1 sft --data", error.Message);
    }

    [Theory]
    [InlineData("arithmetic:0-2")]
    [InlineData("arithmetic:4-2")]
    public void Levels_outside_one_to_five_are_a_configuration_error(string task) =>
        Assert.Throws<ConfigException>(() => Run("--task", task, "--out", Path.Combine(folder, "x.jsonl")));
}
