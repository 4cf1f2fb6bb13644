using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Hosting;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>
/// The command host every node runs: a TCP listener speaking the pbm protocol (docs/pbm.md). A connection must open
/// with the token; then it may discover the palettes and invoke their commands, one at a time. A refused connection
/// is logged with the peer's address and closed.
/// </summary>
public sealed class PbmHost : IAsyncDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener listener;
    private readonly PbmRegistry registry;
    private readonly ILoggingAdapter log;
    private readonly string node;
    private readonly string tokenEnv;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> connections = [];
    private readonly Task accepting;

    private PbmHost(TcpListener listener, PbmRegistry registry, PbmToken token, string tokenEnv, ILoggingAdapter log, string node)
    {
        this.tokenEnv = tokenEnv;
        this.listener = listener;
        this.registry = registry;
        this.log = log;
        this.node = node;
        Token = token;
        Endpoint = (IPEndPoint)listener.LocalEndpoint;
        accepting = Task.Run(AcceptLoop);
    }

    /// <summary>The address and port the host listens on (the actual port when <c>r1.pbm.port</c> is 0).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The token clients must present, and where it came from.</summary>
    public PbmToken Token { get; }

    /// <summary>Binds the host of a node and starts accepting connections.</summary>
    /// <exception cref="SocketException">The address cannot be bound (for example, the port is taken).</exception>
    internal static PbmHost Start(ActorSystem system, EngineRun run, PbmSettings settings, string dataDirectory)
    {
        var log = Logging.GetLogger(system, "pbm");
        var registry = new PbmRegistry(
        [
            ClusterPalette.Create(system),
            ShardingPalette.Create(system),
            RunPalette.Create(run, ActorRegistry.For(system).Get<RunRegion>(), new RunJournal(system)),
            ExpertsPalette.Create(run, new RunJournal(system), system),
        ]);
        var listener = new TcpListener(Address(settings.Host), settings.Port);
        listener.Start();
        var token = PbmToken.Resolve(settings, dataDirectory);
        var host = new PbmHost(listener, registry, token, settings.TokenEnv, log, Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());
        log.Info("pbm: listening on {0}, token from {1}", host.Endpoint, token.Source);
        return host;
    }

    /// <summary>Binds the host of an <c>r1 pipeline</c> process: the pipeline palette only (there is no cluster or run in it).</summary>
    /// <exception cref="SocketException">The address cannot be bound (for example, the port is taken).</exception>
    public static PbmHost StartForPipeline(PipelineJournal journal, string pipelineId, PbmSettings settings, string dataDirectory)
    {
        var log = Logging.GetLogger(journal.System, "pbm");
        var registry = new PbmRegistry([PipelinePalette.Create(journal, pipelineId, dataDirectory)]);
        var listener = new TcpListener(Address(settings.Host), settings.Port);
        listener.Start();
        var token = PbmToken.Resolve(settings, dataDirectory);
        return new PbmHost(listener, registry, token, settings.TokenEnv, log, $"pipeline {pipelineId}");
    }

    private static IPAddress Address(string host) =>
        IPAddress.TryParse(host, out var address) ? address : Dns.GetHostAddresses(host).First();

    private async Task AcceptLoop()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stopping.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            lock (connections)
            {
                connections.RemoveAll(c => c.IsCompleted);
                connections.Add(Task.Run(() => Serve(client)));
            }
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        string peer = client.Client.RemoteEndPoint?.ToString() ?? "?";
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        try
        {
            var stream = client.GetStream();
            var reader = new PbmLineReader(stream);
            var writer = new StreamWriter(stream, PbmWire.Encoding) { NewLine = "\n" };
            if (!await Authenticate(reader, writer, peer, connection.Token)) return;
            while (true)
            {
                PbmRequest? request;
                try { request = await PbmWire.ReadAsync<PbmRequest>(reader, connection.Token); }
                catch (PbmException e)
                {
                    // A line that is not a request means the two sides no longer agree where messages begin: say so, hang up.
                    log.Warning("pbm: closed the connection from {0}: {1}", peer, e.Message);
                    await PbmWire.WriteAsync(writer, PbmFrame.Error($"{e.Message}; closing the connection"), connection.Token);
                    return;
                }
                if (request is null || !await Answer(request, reader, writer, connection)) return;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
        catch (Exception e) { log.Error(e, "pbm: the connection from {0} failed", peer); }
    }

    private async Task<bool> Authenticate(PbmLineReader reader, StreamWriter writer, string peer, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(HelloTimeout);
        PbmHello? hello;
        try { hello = await PbmWire.ReadAsync<PbmHello>(reader, timeout.Token); }
        catch (PbmException) { hello = null; }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested) { hello = null; }
        string? refusal = hello switch
        {
            null => "no hello line",
            { Token: null or "" } => "no token",
            _ when !Token.Accepts(hello.Token) => "wrong token",
            { Version: not PbmWire.Version } => $"protocol version {hello.Version}, this host speaks {PbmWire.Version}",
            _ => null,
        };
        if (refusal is null)
        {
            await PbmWire.WriteAsync(writer, new PbmFrame(PbmFrameKinds.Welcome, node), cancellation);
            return true;
        }
        log.Warning("pbm: refused a connection from {0}: {1}", peer, refusal);
        string advice = refusal.Contains("token") ? $"; give the token with --token, ${tokenEnv} or --token-file" : "";
        await PbmWire.WriteAsync(writer, PbmFrame.Error($"refused: {refusal}{advice}"), cancellation);
        return false;
    }

    // Answers one request; false when the connection ends with it (a stream ends only when the client goes away).
    private async Task<bool> Answer(PbmRequest request, PbmLineReader reader, StreamWriter writer, CancellationTokenSource connection)
    {
        Task Send(PbmFrame frame) => PbmWire.WriteAsync(writer, frame, connection.Token);
        switch (request.Kind)
        {
            case PbmRequestKinds.Discover:
                await Send(new PbmFrame(PbmFrameKinds.Palettes, Palettes: registry.Discover()));
                return true;
            case PbmRequestKinds.Invoke:
                PbmCommand command;
                try { command = registry.Resolve(request); }
                catch (PbmException e) { await Send(PbmFrame.Error(e.Message)); return true; }
                if (command.Info.Streaming) _ = CancelWhenClosed(reader, connection);
                try { await command.Run(new PbmInvocation(request.Options ?? new Dictionary<string, string>(), Send, connection.Token)); }
                catch (PbmException e) { await Send(PbmFrame.Error(e.Message)); }
                catch (AskTimeoutException) { await Send(PbmFrame.Error($"'{request.Palette} {request.Command}': the node did not answer in time; try again")); }
                catch (Exception e) when (e is not (OperationCanceledException or IOException))
                {
                    log.Warning("pbm: '{0} {1}' failed: {2}", request.Palette, request.Command, e.Message);
                    await Send(PbmFrame.Error($"'{request.Palette} {request.Command}' failed: {e.Message}"));
                }
                return !command.Info.Streaming;
            default:
                await Send(PbmFrame.Error($"unknown request kind '{request.Kind}'; expected {PbmRequestKinds.Discover} or {PbmRequestKinds.Invoke}"));
                return true;
        }
    }

    // While a command streams, the client sends nothing more: a read that ends means it hung up.
    private static async Task CancelWhenClosed(PbmLineReader reader, CancellationTokenSource connection)
    {
        try { while (await reader.ReadLineAsync(connection.Token) is not null) { } }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or PbmException) { }
        try { connection.Cancel(); }
        catch (ObjectDisposedException) { }   // the connection had already ended on the host's side
    }

    /// <summary>Stops accepting, ends every open connection and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested) return;
        stopping.Cancel();
        listener.Stop();
        await accepting;
        Task[] open;
        lock (connections) open = connections.ToArray();
        await Task.WhenAll(open);
        stopping.Dispose();
    }
}
