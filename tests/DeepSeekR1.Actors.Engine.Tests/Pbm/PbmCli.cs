using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Commands;

namespace DeepSeekR1.Actors.Engine.Tests.Pbm;

/// <summary>The real `r1 pbm` client, run in-process through its command-line entry point.</summary>
internal static class PbmCli
{
    /// <summary>
    /// Runs `r1 pbm` with exactly <paramref name="arguments"/>, plus <c>--data-dir</c> (where a generated token is
    /// looked for) and a token variable nobody sets, so that nothing on the machine the tests run on supplies a token.
    /// </summary>
    public static Task<(int Exit, string Out, string Err)> Run(string dataDir, string[] arguments, string input = "") => Task.Run(() =>
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var parse = PbmCommand.Create().Parse([.. arguments, "--data-dir", dataDir, "--set", "r1.pbm.token-env=R1_PBM_TOKEN_UNUSED_BY_TESTS"]);
        int exit = PbmCommand.Execute(parse, new StringReader(input), output, error);
        return (exit, output.ToString(), error.ToString());
    });

    /// <summary>The first row of a command's JSON answer; the command must succeed.</summary>
    public static async Task<JsonNode> Row(string dataDir, params string[] arguments)
    {
        var (exit, output, error) = await Run(dataDir, [.. arguments, "--json"]);
        Assert.True(exit == 0, $"pbm {string.Join(' ', arguments)} failed ({exit}): {error}");
        return JsonNode.Parse(output)!["rows"]![0]!;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> Eventually(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return await condition();
    }
}
