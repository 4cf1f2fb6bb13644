namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>
/// A fact written to the journal (an event) or a snapshot of an entity's state. Bound in HOCON to
/// <see cref="ContractSerializer"/>, so a journal never holds the default serializer's type-name JSON.
/// </summary>
public interface IPersisted;

/// <summary>A message that may cross a node boundary. Bound in HOCON to <see cref="ContractSerializer"/>.</summary>
public interface IWireMessage;

/// <summary>
/// The version of a contract's shape. The serializer writes it into the manifest (<c>StepApplied.v1</c>); a change
/// that old readers cannot read is a new type with a higher version, and the old one stays to replay old journals.
/// </summary>
/// <param name="version">The version, starting at 1.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ContractVersionAttribute(int version) : Attribute
{
    /// <summary>The version.</summary>
    public int Version { get; } = version;
}
