using System.CommandLine;
using DeepSeekR1.Actors.Cli.Commands;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

public class SftCommandTests
{
    [Fact]
    public void A_malformed_line_is_reported_as_file_and_line_with_exit_code_2()
    {
        string folder = Path.Combine(Path.GetTempPath(), "r1-sft-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string data = Path.Combine(folder, "cold-start.jsonl");
            File.WriteAllLines(data,
            [
                """{"prompt": "What is 2 + 2?", "completion": "<think> 2 + 2 = 4 </think> <answer> 4 </answer>"}""",
                """{"prompt": "What is 3 + 3?"}""",
            ]);
            var error = new StringWriter();
            int exit = new RootCommand { SftCommand.Create() }
                .Parse(["sft", "--data", data, "--out", Path.Combine(folder, "out")])
                .Invoke(new InvocationConfiguration { Error = error, Output = new StringWriter() });

            Assert.Equal(SftCommand.DataError, exit);
            Assert.Equal(2, exit);
            Assert.Contains($"{data}:2", error.ToString());
            Assert.Contains("completion", error.ToString());
            Assert.False(Directory.Exists(Path.Combine(folder, "out")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
