using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>
/// Runs command lines against one host, as the one-shot and the interactive client both do: each command gets a
/// connection of its own (so a host restarted between two commands is no trouble, and ending a stream is just
/// closing it), help comes from the host's discovery, and answers are rendered as tables or JSON.
/// </summary>
/// <param name="endpoint">The host.</param>
/// <param name="token">The token to present.</param>
/// <param name="json">Whether to answer in JSON (for scripts) instead of tables.</param>
/// <param name="output">Where answers go.</param>
/// <param name="error">Where errors go.</param>
public sealed class PbmSession(PbmEndpoint endpoint, string? token, bool json, TextWriter output, TextWriter error)
{
    /// <summary>The exit code of a command interrupted (Ctrl+C) before its answer, as shells report SIGINT.</summary>
    public const int Interrupted = 130;

    private readonly object gate = new();
    private CancellationTokenSource? running;

    /// <summary>The host.</summary>
    public PbmEndpoint Endpoint => endpoint;

    /// <summary>Ends the command in progress (a stream, usually); false when none is running.</summary>
    public bool CancelRunning()
    {
        lock (gate)
        {
            if (running is null) return false;
            running.Cancel();
            return true;
        }
    }

    /// <summary>The node the host runs in (its cluster address), and the palettes it serves.</summary>
    /// <exception cref="PbmClientException">The host cannot be reached or refuses the token.</exception>
    public async Task<(string Node, IReadOnlyList<PbmPaletteInfo> Palettes)> DiscoverAsync(CancellationToken cancellation = default)
    {
        await using var client = await PbmClient.ConnectAsync(endpoint, token, cancellation);
        return (client.Node, await client.DiscoverAsync(cancellation));
    }

    /// <summary>
    /// Runs one command line (already split into words): <c>help [PALETTE]</c>, a palette alone (its help), or
    /// <c>PALETTE COMMAND [--options]</c>. Returns the exit code: 0 done (a stream ended with Ctrl+C included), 1 refused
    /// or failed, 130 interrupted before the host answered.
    /// </summary>
    public async Task<int> RunAsync(IReadOnlyList<string> words, CancellationToken cancellation = default)
    {
        using var current = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        lock (gate) running = current;
        try
        {
            var line = PbmInvocationLine.Parse(words);
            if (line.Palette is null or "help" || line.Command is null)
            {
                var (_, palettes) = await DiscoverAsync(current.Token);
                string? palette = line.Palette == "help" ? line.Command : line.Palette;
                await output.WriteAsync(palette is null ? PbmHelp.Overview(palettes) : PbmHelp.Palette(palettes, palette));
                return palette is null || palettes.Any(p => p.Name == palette) ? 0 : 1;
            }
            return await InvokeAsync(line, current.Token);
        }
        catch (PbmClientException e) { return Fail(e.Message); }
        catch (PbmException e) { return Fail(e.Message); }
        catch (OperationCanceledException) when (current.IsCancellationRequested)
        {
            error.WriteLine("pbm: interrupted");   // Ctrl+C before the host answered
            return Interrupted;
        }
        finally
        {
            lock (gate) running = null;
        }
    }

    private async Task<int> InvokeAsync(PbmInvocationLine line, CancellationToken cancellation)
    {
        await using var client = await PbmClient.ConnectAsync(endpoint, token, cancellation);
        PbmFrame? header = null;
        await foreach (var frame in client.InvokeAsync(line, cancellation))
        {
            if (frame.Kind == PbmFrameKinds.Error) return Fail(frame.Message ?? "the command failed");
            if (header is null)
            {
                header = frame;
                await output.WriteAsync(json ? PbmTableRenderer.Json(frame) : PbmTableRenderer.Text(frame));
            }
            else
            {
                foreach (var row in frame.Rows ?? [])
                    await output.WriteAsync(json ? PbmTableRenderer.JsonRow(header, row) : PbmTableRenderer.StreamedRow(header, row));
            }
            await output.FlushAsync(CancellationToken.None);
        }
        return 0;
    }

    private int Fail(string message)
    {
        if (json) output.Write(PbmTableRenderer.JsonError(message));
        error.WriteLine($"pbm: {message}");
        return 1;
    }
}
