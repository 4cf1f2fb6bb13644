using DeepSeekR1.Actors.Model.Checkpoints;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public class CheckpointManifestTests
{
    private static TempDirectory DirectoryWithManifest()
    {
        var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("a.bin"), Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray());
        Directory.CreateDirectory(dir.File("sub"));
        File.WriteAllText(dir.File("sub/b.txt"), "hello");
        CheckpointManifest.Create(dir.Path, new Dictionary<string, string> { ["step"] = "7" }).Write(dir.Path);
        return dir;
    }

    [Fact]
    public void Lists_every_file_with_size_and_hash_and_verifies_clean()
    {
        using var dir = DirectoryWithManifest();
        var manifest = CheckpointManifest.Verify(dir.Path);
        Assert.Equal(["a.bin", "sub/b.txt"], manifest.Files.Select(f => f.Path));
        Assert.Equal(1000, manifest.Files[0].Size);
        // SHA-256 of "hello".
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", manifest.Files[1].Sha256);
        Assert.Equal("7", manifest.Metadata["step"]);
        Assert.Equal(CheckpointManifest.CurrentFormatVersion, manifest.FormatVersion);
        Assert.Contains("DeepSeekR1.Actors.Model", manifest.CreatedBy);
    }

    [Fact]
    public void A_flipped_byte_is_caught_and_the_file_named()
    {
        using var dir = DirectoryWithManifest();
        var bytes = File.ReadAllBytes(dir.File("a.bin"));
        bytes[500] ^= 0x10;
        File.WriteAllBytes(dir.File("a.bin"), bytes);

        var error = Assert.Throws<CheckpointException>(() => CheckpointManifest.Verify(dir.Path));
        Assert.Equal(dir.File("a.bin"), error.Path);
        Assert.Contains("SHA-256", error.Problem);
    }

    [Fact]
    public void A_missing_or_resized_file_is_named()
    {
        using var dir = DirectoryWithManifest();
        File.AppendAllText(dir.File("sub/b.txt"), "!");
        var resized = Assert.Throws<CheckpointException>(() => CheckpointManifest.Verify(dir.Path));
        Assert.Equal(dir.File("sub/b.txt"), resized.Path);
        Assert.Contains("6 bytes but the manifest says 5", resized.Problem);

        File.Delete(dir.File("a.bin"));
        var missing = Assert.Throws<CheckpointException>(() => CheckpointManifest.Verify(dir.Path));
        Assert.Equal(dir.File("a.bin"), missing.Path);
        Assert.Contains("missing", missing.Problem);
    }

    [Fact]
    public void A_manifest_path_escaping_the_directory_is_refused()
    {
        using var dir = DirectoryWithManifest();
        var path = dir.File(CheckpointManifest.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"a.bin\"", "\"../a.bin\""));
        var error = Assert.Throws<CheckpointException>(() => CheckpointManifest.Verify(dir.Path));
        Assert.Equal(path, error.Path);
    }
}
