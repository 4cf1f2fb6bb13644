using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>
/// The Akka serializer of every contract (bound to <see cref="IPersisted"/> and <see cref="IWireMessage"/> in
/// <c>hocon/local.conf</c>): what the journal stores and what crosses nodes. See <see cref="ContractCodec"/>.
/// On a node with remoting, a wire message too large for the transport's frame is refused here, by name: DotNetty
/// would otherwise drop the frame with a log line on the sending side only, and the receiver would simply never hear.
/// </summary>
public sealed class ContractSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's id in journals and on the wire; never change it.</summary>
    public const int Id = 7401;

    /// <summary>Room left in a frame for Akka's envelope (addresses, manifest, sequence numbers) around the body.</summary>
    public const long EnvelopeAllowance = 16 * 1024;

    private const string FrameKey = "akka.remote.dot-netty.tcp.maximum-frame-size";
    private readonly long? largestBody;

    /// <summary>Creates the serializer for <paramref name="system"/>, reading its remoting frame size if it has remoting.</summary>
    public ContractSerializer(ExtendedActorSystem system) : base(system)
    {
        var config = system.Settings.Config;
        bool remote = config.GetString("akka.actor.provider", "local") is var provider
            && (provider.Contains("remote", StringComparison.OrdinalIgnoreCase) || provider.Contains("cluster", StringComparison.OrdinalIgnoreCase));
        if (remote && config.HasPath(FrameKey) && config.GetByteSize(FrameKey) is { } frame) largestBody = frame - EnvelopeAllowance;
    }

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) => ContractCodec.ManifestOf(o.GetType());

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        byte[] bytes = ContractCodec.Encode(obj);
        // Only messages that travel are bounded: a journal row has no frame (and an event may be both; it then travels
        // only as a journal row).
        if (largestBody is { } limit && bytes.Length > limit && obj is IWireMessage && obj is not IPersisted)
            throw new OversizedMessageException(ContractCodec.ManifestOf(obj.GetType()), bytes.Length, limit + EnvelopeAllowance);
        return bytes;
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) => ContractCodec.Decode(bytes, manifest);
}

/// <summary>A wire message whose encoded body does not fit the remoting frame: it is refused, never sent truncated or dropped unseen.</summary>
public sealed class OversizedMessageException(string manifest, long bytes, long frame) : SerializationException(
    $"message {manifest} is {bytes:N0} bytes, more than the remoting frame of {frame:N0} bytes ({"akka.remote.dot-netty.tcp.maximum-frame-size"}) " +
    $"less {ContractSerializer.EnvelopeAllowance:N0} for the envelope; it was not sent. Raise the frame size in hocon/cluster.conf or send less per message")
{
    /// <summary>The message's manifest.</summary>
    public string MessageManifest { get; } = manifest;

    /// <summary>Its encoded size.</summary>
    public long Bytes { get; } = bytes;
}
