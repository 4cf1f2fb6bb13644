using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>
/// The frames of the expert data plane: a contract's manifest and body (<see cref="ContractCodec"/>, the same bytes
/// the serializer writes for Akka), each preceded by its length. Big tensor messages go this way instead of through
/// Akka's remoting, which copies a large message several times and moves it at a fraction of what a plain socket does
/// (docs/experts.md, "Data plane").
/// </summary>
internal static class TensorFrames
{
    private const int MaxManifest = 256;

    public static void Write(Stream stream, object contract)
    {
        byte[] manifest = Encoding.UTF8.GetBytes(ContractCodec.ManifestOf(contract.GetType()));
        byte[] body = ContractCodec.Encode(contract);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, manifest.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], body.Length);
        stream.Write(header);
        stream.Write(manifest);
        stream.Write(body);
        stream.Flush();
    }

    /// <summary>Reads one frame; null when the peer closed the connection cleanly before a new frame.</summary>
    public static object? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[8];
        int first = stream.ReadAtLeast(header, 8, throwOnEndOfStream: false);
        if (first == 0) return null;
        if (first < 8) throw new EndOfStreamException("the expert data plane connection closed inside a frame header");
        int manifestLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        if (manifestLength is <= 0 or > MaxManifest || bodyLength < 0)
            throw new InvalidDataException($"expert data plane: a frame with a manifest of {manifestLength} bytes and a body of {bodyLength} bytes is not one of ours");
        var manifest = new byte[manifestLength];
        stream.ReadExactly(manifest);
        var body = GC.AllocateUninitializedArray<byte>(bodyLength);
        stream.ReadExactly(body);
        return ContractCodec.Decode(body, Encoding.UTF8.GetString(manifest));
    }

    public static void Tune(Socket socket)
    {
        socket.NoDelay = true;   // one request, one reply: never wait to coalesce
        socket.SendBufferSize = 8 << 20;
        socket.ReceiveBufferSize = 8 << 20;
    }
}

/// <summary>
/// The expert node's end of the data plane: accepts the learner's connections and hands each request frame to the
/// local shard actor it names (an in-process Ask: no serialization), writing back its reply. One thread per connection;
/// a learner keeps one connection per shard.
/// </summary>
internal sealed class TensorChannelServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly Func<int, IActorRef?> shardActor;
    private readonly TimeSpan timeout;
    private readonly ILoggingAdapter log;
    private volatile bool stopped;

    public TensorChannelServer(int port, Func<int, IActorRef?> shardActor, TimeSpan timeout, ILoggingAdapter log)
    {
        this.shardActor = shardActor;
        this.timeout = timeout;
        this.log = log;
        listener = new TcpListener(IPAddress.Any, port);
        listener.Start();
        new Thread(Accept) { IsBackground = true, Name = "r1-expert-data-plane" }.Start();
    }

    /// <summary>The port it listens on.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    private void Accept()
    {
        while (!stopped)
        {
            Socket socket;
            try
            {
                socket = listener.AcceptSocket();
            }
            catch (Exception) when (stopped)
            {
                return;
            }
            catch (SocketException e)
            {
                log.Warning("expert data plane: accept failed: {0}", e.Message);
                continue;
            }
            new Thread(() => Serve(socket)) { IsBackground = true, Name = "r1-expert-data-connection" }.Start();
        }
    }

    private void Serve(Socket socket)
    {
        TensorFrames.Tune(socket);
        using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            while (!stopped && TensorFrames.Read(stream) is { } request)
                TensorFrames.Write(stream, Handle(request));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The learner went away (or restarts its pass on a new connection): nothing to answer.
        }
        catch (Exception e) when (e is InvalidDataException or System.Runtime.Serialization.SerializationException)
        {
            log.Error("expert data plane: dropped a connection that sent something that is not a request: {0}", e.Message);
        }
    }

    private object Handle(object request)
    {
        var (runId, shard) = request switch
        {
            ExpertForwardCall f => (f.RunId, f.Shard),
            ExpertBackwardCall b => (b.RunId, b.Shard),
            _ => (null, -1),
        };
        if (runId is null) return new ExpertShardFailed("", -1, $"the data plane carries forward and backward calls, not {request.GetType().Name}", Lost: false);
        if (shardActor(shard) is not { } actor) return new ExpertShardFailed(runId, shard, $"this node does not host expert shard {shard}", Lost: true);
        try
        {
            return actor.Ask<object>(request, timeout).GetAwaiter().GetResult();
        }
        catch (AskTimeoutException)
        {
            return new ExpertShardFailed(runId, shard, $"the shard did not answer within {timeout.TotalSeconds:0.#}s", Lost: true);
        }
    }

    public void Dispose()
    {
        stopped = true;
        listener.Stop();
    }
}

/// <summary>The learner's end of the data plane to one shard: one request at a time, answered on the same connection.</summary>
internal sealed class TensorChannelClient : IDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;

    public TensorChannelClient(string endpoint, TimeSpan timeout)
    {
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out int port))
            throw new ArgumentException($"expert data plane endpoint '{endpoint}' is not host:port");
        Endpoint = endpoint;
        socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        TensorFrames.Tune(socket);
        socket.ReceiveTimeout = socket.SendTimeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
        socket.Connect(endpoint[..colon], port);
        stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Where it is connected.</summary>
    public string Endpoint { get; }

    /// <summary>Sends <paramref name="request"/> and returns the reply; an I/O failure or a timeout is an <see cref="IOException"/>.</summary>
    public object Call(object request)
    {
        TensorFrames.Write(stream, request);
        return TensorFrames.Read(stream) ?? throw new IOException($"the expert node at {Endpoint} closed the data plane connection");
    }

    public void Dispose() => stream.Dispose();
}
