using Akka.Actor;
using Akka.Serialization;

namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>
/// The Akka serializer of every contract (bound to <see cref="IPersisted"/> and <see cref="IWireMessage"/> in
/// <c>hocon/local.conf</c>): what the journal stores and what crosses nodes. See <see cref="ContractCodec"/>.
/// </summary>
public sealed class ContractSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer's id in journals and on the wire; never change it.</summary>
    public const int Id = 7401;

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) => ContractCodec.ManifestOf(o.GetType());

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => ContractCodec.Encode(obj);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) => ContractCodec.Decode(bytes, manifest);
}
