using System.Globalization;
using DeepSeekR1.Actors.Cli.Terminal;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>
/// The interactive client: a prompt that reads command lines and runs them through a <see cref="PbmSession"/>, with
/// <c>help [PALETTE]</c>, <c>history</c>, <c>!N</c> and <c>!!</c> to repeat a command, <c>clear</c>, and <c>exit</c>.
/// On a terminal the line is edited in place, the arrows walk the history and Tab completes palettes, commands and
/// options (<see cref="EditingLineInput"/>, <see cref="PbmCompletion"/>); from a pipe lines are read as they come.
/// </summary>
/// <param name="session">Runs the commands.</param>
/// <param name="input">Where lines come from, given the host's palettes (for completion).</param>
/// <param name="output">Where answers go.</param>
public sealed class PbmShell(PbmSession session, Func<IReadOnlyList<PbmPaletteInfo>, ILineInput> input, TextWriter output)
{
    /// <summary>A shell reading plain lines from <paramref name="reader"/> (a pipe, a test), prompts on <paramref name="output"/>.</summary>
    public PbmShell(PbmSession session, TextReader reader, TextWriter output)
        : this(session, _ => new PlainLineInput(reader, output), output) { }

    private readonly List<string> history = [];

    /// <summary>The lines entered so far (repeats resolved), oldest first.</summary>
    public IReadOnlyList<string> History => history;

    /// <summary>Reads and runs lines until <c>exit</c> or the end of the input; returns 0.</summary>
    public async Task<int> RunAsync(CancellationToken cancellation = default)
    {
        var (node, palettes) = await session.DiscoverAsync(cancellation);
        await output.WriteLineAsync($"pbm {session.Endpoint}, node {node}: {palettes.Count} palettes ({string.Join(", ", palettes.Select(p => p.Name))}); 'help' lists the commands, Tab completes, 'exit' leaves");
        var lines = input(palettes);
        while (!cancellation.IsCancellationRequested)
        {
            string? line = await lines.ReadLineAsync($"pbm {session.Endpoint}> ", cancellation);
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (line is "exit" or "quit") break;
            if (line.StartsWith('!'))
            {
                if (Recall(line) is not { } recalled)
                {
                    await output.WriteLineAsync($"pbm: no such history entry '{line}'; 'history' lists them");
                    continue;
                }
                line = recalled;
                await output.WriteLineAsync(line);
            }
            if (line == "clear")
            {
                lines.Clear();
                continue;
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
