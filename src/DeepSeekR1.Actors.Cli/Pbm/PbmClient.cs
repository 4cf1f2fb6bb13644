using System.Net.Sockets;
using System.Runtime.CompilerServices;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>
/// One authenticated connection to a node's pbm command host (protocol in docs/pbm.md). It knows no commands of its
/// own: it asks the host which palettes it serves, and sends whatever the user typed for the host to check.
/// </summary>
public sealed class PbmClient : IAsyncDisposable
{
    private readonly TcpClient tcp;
    private readonly PbmLineReader reader;
    private readonly StreamWriter writer;

    private PbmClient(TcpClient tcp, string node)
    {
        this.tcp = tcp;
        var stream = tcp.GetStream();
        reader = new PbmLineReader(stream);
        writer = new StreamWriter(stream, PbmWire.Encoding) { NewLine = "\n" };
        Node = node;
    }

    /// <summary>The node the host runs in (its cluster address).</summary>
    public string Node { get; private set; }

    /// <summary>Connects to <paramref name="endpoint"/> and presents <paramref name="token"/>.</summary>
    /// <exception cref="PbmClientException">The host cannot be reached or refuses the token.</exception>
    public static async Task<PbmClient> ConnectAsync(PbmEndpoint endpoint, string? token, CancellationToken cancellation = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            try { await tcp.ConnectAsync(endpoint.Host, endpoint.Port, cancellation); }
            catch (SocketException e) { throw new PbmClientException($"cannot connect to {endpoint}: {e.Message} (is a node running there? `r1 train` prints its pbm endpoint)"); }
            var client = new PbmClient(tcp, "");
            await PbmWire.WriteAsync(client.writer, new PbmHello(PbmWire.Version, token), cancellation);
            var welcome = await client.Next(cancellation) ?? throw new PbmClientException($"{endpoint} closed the connection without answering");
            if (welcome.Kind != PbmFrameKinds.Welcome) throw new PbmClientException(welcome.Message ?? $"unexpected answer '{welcome.Kind}'");
            client.Node = welcome.Message ?? "";
            return client;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>The palettes the host serves, with their commands and options.</summary>
    public async Task<IReadOnlyList<PbmPaletteInfo>> DiscoverAsync(CancellationToken cancellation = default)
    {
        await PbmWire.WriteAsync(writer, new PbmRequest(PbmRequestKinds.Discover), cancellation);
        var frame = await Next(cancellation) ?? throw new PbmClientException("the host closed the connection");
        return frame.Palettes ?? throw new PbmClientException(frame.Message ?? "the host did not list its palettes");
    }

    /// <summary>
    /// Runs a command: yields its answer (a table or an error); for a streaming command, the rows that follow until
    /// <paramref name="cancellation"/> is cancelled or the host ends the stream.
    /// </summary>
    public async IAsyncEnumerable<PbmFrame> InvokeAsync(PbmInvocationLine line, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        await PbmWire.WriteAsync(writer, new PbmRequest(PbmRequestKinds.Invoke, line.Palette, line.Command, line.Options), cancellation);
        var first = await Next(cancellation) ?? throw new PbmClientException("the host closed the connection");
        yield return first;
        if (first.Streaming != true) yield break;
        while (true)
        {
            PbmFrame? next;
            try { next = await Next(cancellation); }
            catch (OperationCanceledException) { yield break; }   // Ctrl+C: the stream ends, which is how it is meant to end
            if (next is null) yield break;
            yield return next;
        }
    }

    private async Task<PbmFrame?> Next(CancellationToken cancellation)
    {
        try { return await PbmWire.ReadAsync<PbmFrame>(reader, cancellation); }
        catch (IOException e) { throw new PbmClientException($"the connection broke: {e.Message}"); }
    }

    /// <summary>Closes the connection (which also ends a stream on the host's side).</summary>
    public ValueTask DisposeAsync()
    {
        tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The client cannot talk to the host: unreachable, refused, or a broken connection. The message is for the user.</summary>
/// <param name="message">What went wrong.</param>
public sealed class PbmClientException(string message) : Exception(message);
