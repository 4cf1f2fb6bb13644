using System.Text;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Every contract's serialized form, frozen: the bytes of its canonical instance (<see cref="ContractSample.Canonical"/>)
/// are committed under Fixtures/contracts, and those of 1a7b266 under Fixtures/contracts-1a7b266 (each folder's
/// SOURCE.md says how they were made). A round trip through today's code cannot tell that today's bytes differ from
/// yesterday's; these tests can. A failure means journals and nodes that exist now would stop reading: never edit or
/// regenerate a committed file to make it pass.
/// </summary>
public sealed class ContractFrozenBytesTests
{
    private const string Frozen = "contracts";
    private const string Of1a7b266 = "contracts-1a7b266";
    private const string SourceFolder = "tests/DeepSeekR1.Actors.Engine.Tests/Fixtures";

    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static TheoryData<string> Manifests() => new(ContractCodec.Contracts.Values.Order(StringComparer.Ordinal));

    public static TheoryData<string> FrozenFiles() => Files(Frozen);

    public static TheoryData<string> FilesOf1a7b266() => Files(Of1a7b266);

    // A contract that carries tensors is a binary body (a JSON header, then raw bytes): its file is .bin, not .json.
    private static TheoryData<string> Files(string folder) =>
        new(Directory.EnumerateFiles(Folder(folder)).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".bin", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal));

    private static string FileName(string manifest) =>
        manifest + (typeof(ICarriesTensors).IsAssignableFrom(ContractCodec.Contracts.SingleOrDefault(kv => kv.Value == manifest).Key) ? ".bin" : ".json");

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Todays_code_encodes_the_canonical_instance_to_exactly_the_committed_bytes(string manifest)
    {
        var type = ContractCodec.Contracts.Single(kv => kv.Value == manifest).Key;
        byte[] encoded = ContractCodec.Encode(ContractSample.Canonical(type));
        string file = Path.Combine(Folder(Frozen), FileName(manifest));
        Assert.True(File.Exists(file), Missing(manifest, encoded));
        byte[] committed = File.ReadAllBytes(file);
        Assert.True(committed.AsSpan().SequenceEqual(encoded), Changed(manifest, committed, encoded));
    }

    [Theory]
    [MemberData(nameof(FrozenFiles))]
    public void The_committed_bytes_decode_to_a_value_that_encodes_to_the_same_bytes(string manifest)
    {
        byte[] committed = File.ReadAllBytes(Path.Combine(Folder(Frozen), FileName(manifest)));
        // A manifest today's code no longer knows throws here, naming it: journals hold it, so it must still decode.
        var decoded = ContractCodec.Decode(committed, manifest);
        Assert.Equal(manifest, ContractCodec.ManifestOf(decoded.GetType()));
        byte[] encoded = ContractCodec.Encode(decoded);
        Assert.True(committed.AsSpan().SequenceEqual(encoded), Changed(manifest, committed, encoded));
    }

    [Theory]
    [MemberData(nameof(FilesOf1a7b266))]
    public void Todays_code_reads_every_field_1a7b266_wrote(string manifest)
    {
        byte[] written = File.ReadAllBytes(Path.Combine(Folder(Of1a7b266), manifest + ".json"));
        var decoded = ContractCodec.Decode(written, manifest);
        Assert.Equal(manifest, ContractCodec.ManifestOf(decoded.GetType()));
        var lost = ContractFields.Lost(written, ContractCodec.Encode(decoded));
        Assert.True(lost.Count == 0, $"today's code reads {manifest} as 1a7b266 wrote it ({SourceFolder}/{Of1a7b266}/{manifest}.json) "
            + $"with these fields lost or changed:\n{string.Join('\n', lost)}");
    }

    private static string Missing(string manifest, byte[] encoded)
    {
        string path = $"{SourceFolder}/{Frozen}/{FileName(manifest)}";
        return $"{manifest} has no frozen bytes. Add {path} holding exactly what today's code writes for its canonical "
            + "instance (no trailing newline), from the repository root:\n"
            + $"    echo {Convert.ToBase64String(encoded)} | base64 -d > {path}\n"
            + $"(that is {Encoding.UTF8.GetString(encoded)}) and commit it with the contract. Files already there are never "
            + $"edited or regenerated: journals hold those bytes ({SourceFolder}/{Frozen}/SOURCE.md).";
    }

    private static string Changed(string manifest, byte[] committed, byte[] encoded)
    {
        string type = manifest[..manifest.LastIndexOf(".v", StringComparison.Ordinal)];
        return $"the serialized form of {manifest} changed: today's code writes\n    {Encoding.UTF8.GetString(encoded)}\n"
            + $"where {SourceFolder}/{Frozen}/{FileName(manifest)}, which journals and other nodes already hold, is\n    {Encoding.UTF8.GetString(committed)}\n"
            + $"Do not edit the file. A changed form is a new contract version ({type}.v{NextVersion(manifest)}) with a file of its own, "
            + $"and {manifest} must still decode ({SourceFolder}/{Frozen}/SOURCE.md).";
    }

    private static int NextVersion(string manifest) =>
        int.TryParse(manifest[(manifest.LastIndexOf(".v", StringComparison.Ordinal) + 2)..], out int version) ? version + 1 : 2;
}
