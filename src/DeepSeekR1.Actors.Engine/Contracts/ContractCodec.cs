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

    /// <summary>The JSON body of <paramref name="contract"/>.</summary>
    public static byte[] Encode(object contract)
    {
        ManifestOf(contract.GetType());
        return JsonSerializer.SerializeToUtf8Bytes(contract, contract.GetType(), Options);
    }

    /// <summary>Reads a body written under <paramref name="manifest"/>; an unknown manifest is an error that names it.</summary>
    public static object Decode(byte[] bytes, string manifest)
    {
        if (!TypeByManifest.TryGetValue(manifest, out var type))
        {
            string name = manifest.Split('.')[0];
            var sameName = TypeByManifest.Keys.Where(k => k.Split('.')[0] == name).ToArray();
            string known = sameName.Length > 0 ? $"this build reads {string.Join(", ", sameName)}" : "no contract of that name exists in this build";
            throw new SerializationException($"unknown contract manifest '{manifest}': {known}; a journal or message from a newer build needs that build to read it");
        }
        return JsonSerializer.Deserialize(bytes, type, Options)
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
