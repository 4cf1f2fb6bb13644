using DeepSeekR1.Actors.BuildTools;

namespace DeepSeekR1.Actors.BuildTools.Tests;

/// <summary>
/// Runs the patcher on a fresh copy of the real libLibTorchSharp.so from the restored TorchSharp package (the file the
/// build patches), never on the package cache itself.
/// </summary>
public sealed class WeakVersionPatcherTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("r1-elf-").FullName;
    private readonly string library;

    public WeakVersionPatcherTests()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string original = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        library = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(original, library);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static IReadOnlySet<string>? Lacking(string file) => new HashSet<string> { "GLIBCXX_3.4.30" };
    private static IReadOnlySet<string>? Providing(string file) => new HashSet<string> { "GLIBCXX_3.4.32" };

    [Fact]
    public void The_shipped_library_needs_glibcxx_3_4_32_strictly()
    {
        var need = ElfVersionTables.ReadNeeds(File.ReadAllBytes(library)).Single(n => n.Name == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
    }

    [Fact]
    public void Patch_marks_only_the_named_version_weak_and_changes_only_its_flag_bytes()
    {
        byte[] before = File.ReadAllBytes(library);
        var needsBefore = ElfVersionTables.ReadNeeds(before);

        var report = WeakVersionPatcher.Patch(library, ["GLIBCXX_3.4.32"], Lacking);

        byte[] after = File.ReadAllBytes(library);
        Assert.Equal(["GLIBCXX_3.4.32"], report.Weakened);
        Assert.Equal(before.Length, after.Length);
        var target = needsBefore.Single(n => n.Name == "GLIBCXX_3.4.32");
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal([target.FlagsOffset], changed.Select(i => (long)i));

        var needsAfter = ElfVersionTables.ReadNeeds(after);
        Assert.Equal(needsBefore.Count, needsAfter.Count);
        foreach (var (b, a) in needsBefore.Zip(needsAfter))
        {
            Assert.Equal(b.Name, a.Name);
            Assert.Equal(b.File, a.File);
            Assert.Equal(b.Name == "GLIBCXX_3.4.32" ? (ushort)(b.Flags | VersionNeed.WeakFlag) : b.Flags, a.Flags);
        }
    }

    [Fact]
    public void Patch_is_idempotent()
    {
        WeakVersionPatcher.Patch(library, ["GLIBCXX_3.4.32"], Lacking);
        byte[] once = File.ReadAllBytes(library);
        var second = WeakVersionPatcher.Patch(library, ["GLIBCXX_3.4.32"], Lacking);
        Assert.False(second.Changed);
        Assert.Equal(["GLIBCXX_3.4.32"], second.AlreadyWeak);
        Assert.Equal(once, File.ReadAllBytes(library));
    }

    [Fact]
    public void Patch_does_nothing_where_the_system_library_has_the_version()
    {
        byte[] before = File.ReadAllBytes(library);
        var stamp = File.GetLastWriteTimeUtc(library);
        var report = WeakVersionPatcher.Patch(library, ["GLIBCXX_3.4.32"], Providing);
        Assert.False(report.Changed);
        Assert.Equal(["GLIBCXX_3.4.32"], report.ProvidedBySystem);
        Assert.Equal(before, File.ReadAllBytes(library));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(library));
    }

    [Fact]
    public void Patch_replaces_a_hard_link_instead_of_writing_through_it()
    {
        string alias = Path.Combine(dir, "alias.so");
        Assert.Equal(0, Link(library, alias));
        byte[] original = File.ReadAllBytes(alias);
        WeakVersionPatcher.Patch(library, ["GLIBCXX_3.4.32"], Lacking);
        Assert.Equal(original, File.ReadAllBytes(alias));     // the other name (the "NuGet cache") is untouched
    }

    [Fact]
    public void The_installed_libstdcxx_definitions_are_readable()
    {
        var defined = WeakVersionPatcher.InstalledDefinitions("libstdc++.so.6");
        Assert.NotNull(defined);
        Assert.Contains("GLIBCXX_3.4", defined!);
    }

    [Fact]
    public void A_file_that_is_not_elf_gives_a_clear_error()
    {
        File.WriteAllText(library, "not an elf");
        var e = Assert.Throws<InvalidDataException>(() => WeakVersionPatcher.Patch(library, ["GLIBCXX_3.4.32"], Lacking));
        Assert.Contains("not an ELF", e.Message);
    }

    [Fact]
    public void A_truncated_file_gives_a_clear_error()
    {
        byte[] bytes = File.ReadAllBytes(library);
        File.WriteAllBytes(library, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => WeakVersionPatcher.Patch(library, ["GLIBCXX_3.4.32"], Lacking));
        Assert.Contains("past the end", e.Message);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string newPath);
}
