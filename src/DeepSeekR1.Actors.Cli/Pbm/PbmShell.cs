using System.Globalization;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>
/// The interactive client: a prompt that reads command lines and runs them through a <see cref="PbmSession"/>, with
/// <c>help [PALETTE]</c>, <c>history</c>, <c>!N</c> and <c>!!</c> to repeat a command, and <c>exit</c>.
/// </summary>
/// <param name="session">Runs the commands.</param>
/// <param name="input">Where lines come from.</param>
/// <param name="output">Where the prompt and answers go.</param>
public sealed class PbmShell(PbmSession session, TextReader input, TextWriter output)
{
    private readonly List<string> history = [];

    /// <summary>The lines entered so far (repeats resolved), oldest first.</summary>
    public IReadOnlyList<string> History => history;

    /// <summary>Reads and runs lines until <c>exit</c> or the end of the input; returns 0.</summary>
    public async Task<int> RunAsync(CancellationToken cancellation = default)
    {
        var (node, palettes) = await session.DiscoverAsync(cancellation);
        await output.WriteLineAsync($"pbm {session.Endpoint}, node {node}: {palettes.Count} palettes ({string.Join(", ", palettes.Select(p => p.Name))}); 'help' lists the commands, 'exit' leaves");
        while (!cancellation.IsCancellationRequested)
        {
            await output.WriteAsync($"pbm {session.Endpoint}> ");
            await output.FlushAsync(cancellation);
            string? line = await input.ReadLineAsync(cancellation);
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (line is "exit" or "quit") break;
            if (line.StartsWith('!'))
            {
                if (Recall(line) is not { } recalled)
                {
                    await output.WriteLineAsync($"no such history entry '{line}'; 'history' lists them");
                    continue;
                }
                line = recalled;
                await output.WriteLineAsync(line);
            }
            history.Add(line);
            if (line == "history")
            {
                for (int i = 0; i < history.Count; i++) await output.WriteLineAsync($"{i + 1,4}  {history[i]}");
                continue;
            }
            IReadOnlyList<string> words;
            try { words = PbmInvocationLine.Split(line); }
            catch (PbmClientException e)
            {
                await output.WriteLineAsync($"pbm: {e.Message}");
                continue;
            }
            await session.RunAsync(words, cancellation);
        }
        return 0;
    }

    // "!!" is the last line, "!N" the N-th (1-based, as 'history' numbers them).
    private string? Recall(string line)
    {
        if (line == "!!") return history.LastOrDefault();
        return int.TryParse(line[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= history.Count ? history[n - 1] : null;
    }
}
