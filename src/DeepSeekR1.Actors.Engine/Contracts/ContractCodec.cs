using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>
/// Turns contract records into bytes and back: System.Text.Json for the body, and a manifest of the type's name and
/// contract version (<c>StepApplied.v1</c>) instead of a CLR type name, so that moving or renaming a namespace does not
/// orphan a journal. The set of contracts is every <see cref="IPersisted"/> or <see cref="IWireMessage"/> type of this
/// assembly that carries a <see cref="ContractVersionAttribute"/>.
/// </summary>
public static class ContractCodec
{
    private static readonly JsonSerializerOptions Options = new()
    {
        // Metrics can hold NaN (an empty statistic); JSON has no literal for it unless allowed.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Enums travel and are journaled by name ("Stop", "Math"), never by number: reordering an enum cannot change
        // what an old journal means, and a name this build does not know fails the decode instead of becoming a number.
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    private static readonly IReadOnlyDictionary<Type, string> ManifestByType = Discover();
    private static readonly IReadOnlyDictionary<string, Type> TypeByManifest = ManifestByType.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>Every contract type, with its manifest.</summary>
    public static IReadOnlyDictionary<Type, string> Contracts => ManifestByType;

    /// <summary>The manifest of a contract type, e.g. <c>StepApplied.v1</c>.</summary>
    public static string ManifestOf(Type type) =>
        ManifestByType.TryGetValue(type, out var manifest)
            ? manifest
            : throw new SerializationException($"{type.FullName} is not a versioned contract (it needs [ContractVersion] and IPersisted or IWireMessage)");

    /// <summary>The body of <paramref name="contract"/>: JSON, or for one that carries tensors a <see cref="TensorBody"/>.</summary>
    public static byte[] Encode(object contract)
    {
        ManifestOf(contract.GetType());
        return contract is ICarriesTensors
            ? TensorBody.Encode(contract, Options)
            : JsonSerializer.SerializeToUtf8Bytes(contract, contract.GetType(), Options);
    }

    /// <summary>Reads a body written under <paramref name="manifest"/>; an unknown manifest is an error that names it.</summary>
    public static object Decode(byte[] bytes, string manifest)
    {
        if (!TypeByManifest.TryGetValue(manifest, out var type))
        {
            string name = manifest.Split('.')[0];
            var sameName = TypeByManifest.Keys.Where(k => k.Split('.')[0] == name).ToArray();
            throw new UnknownContractException(manifest, sameName);
        }
        var value = typeof(ICarriesTensors).IsAssignableFrom(type)
            ? TensorBody.Decode(bytes, type, Options, manifest)
            : JsonSerializer.Deserialize(bytes, type, Options);
        return value
            ?? throw new SerializationException($"contract '{manifest}' decoded to null");
    }

    private static Dictionary<Type, string> Discover()
    {
        var result = new Dictionary<Type, string>();
        foreach (var type in typeof(ContractCodec).Assembly.GetTypes())
        {
            bool isContract = typeof(IPersisted).IsAssignableFrom(type) || typeof(IWireMessage).IsAssignableFrom(type);
            if (!isContract || type.IsAbstract || type.IsInterface) continue;
            var version = type.GetCustomAttribute<ContractVersionAttribute>()
                ?? throw new InvalidOperationException($"contract {type.FullName} has no [ContractVersion]");
            result.Add(type, $"{type.Name}.v{version.Version}");
        }
        return result;
    }
}

/// <summary>
/// A manifest this build has no contract for: usually a newer version of a known type (<c>StepApplied.v99</c>) written
/// by a newer build. Carries the parts of the manifest so that a reader can say exactly what it met.
/// </summary>
public sealed class UnknownContractException : SerializationException
{
    /// <summary>Describes <paramref name="manifest"/> and the versions of the same type this build reads.</summary>
    /// <param name="manifest">The manifest met, e.g. <c>StepApplied.v99</c>.</param>
    /// <param name="known">The manifests of the same type name this build reads (may be empty).</param>
    public UnknownContractException(string manifest, IReadOnlyList<string> known) : base(Describe(manifest, known))
    {
        Manifest = manifest;
        Known = known;
        int dot = manifest.LastIndexOf(".v", StringComparison.Ordinal);
        TypeName = dot > 0 ? manifest[..dot] : manifest;
        Version = dot > 0 && int.TryParse(manifest[(dot + 2)..], out int v) ? v : null;
    }

    /// <summary>The manifest met.</summary>
    public string Manifest { get; }

    /// <summary>The contract's type name (the manifest before <c>.vN</c>).</summary>
    public string TypeName { get; }

    /// <summary>The contract version the manifest names, or null when it names none.</summary>
    public int? Version { get; }

    /// <summary>The manifests of the same type name this build reads.</summary>
    public IReadOnlyList<string> Known { get; }

    private static string Describe(string manifest, IReadOnlyList<string> known) =>
        $"unknown contract manifest '{manifest}': "
        + (known.Count > 0 ? $"this build reads {string.Join(", ", known)}" : "no contract of that name exists in this build")
        + "; a journal or message from a newer build needs that build to read it";
}
