namespace DeepSeekR1.Actors.BuildTools;

/// <summary>What <see cref="WeakVersionPatcher.Patch"/> did to one file.</summary>
/// <param name="Weakened">Versions whose weak flag this call set.</param>
/// <param name="AlreadyWeak">Candidate versions that were already weak (a second run finds them here).</param>
/// <param name="ProvidedBySystem">Candidate versions the system library defines, left alone because nothing is missing.</param>
public sealed record PatchReport(
    IReadOnlyList<string> Weakened,
    IReadOnlyList<string> AlreadyWeak,
    IReadOnlyList<string> ProvidedBySystem)
{
    /// <summary>Whether the file was rewritten.</summary>
    public bool Changed => Weakened.Count > 0;
}

/// <summary>
/// Marks chosen version needs of a shared object as weak (<c>VER_FLG_WEAK</c>), so that glibc's loader
/// accepts the library on a system whose dependency lacks that version. This is how TorchSharp 0.107's
/// <c>libLibTorchSharp.so</c>, linked by GCC 13, loads on Debian 12: its only need for
/// <c>GLIBCXX_3.4.32</c> is the <c>std::ios_base_library_init()</c> marker, which nothing calls.
/// </summary>
public static class WeakVersionPatcher
{
    /// <summary>The versions weakened when the caller names none.</summary>
    public static readonly IReadOnlyList<string> DefaultVersions = ["GLIBCXX_3.4.32"];

    /// <summary>
    /// Weakens each need whose name is in <paramref name="versions"/>, unless the system library that must
    /// provide it already defines it. Writes a new file and renames it over the old one, so a hard link
    /// into the NuGet cache is replaced rather than modified. Idempotent.
    /// </summary>
    /// <param name="path">The shared object to patch.</param>
    /// <param name="versions">Version names that may be weakened.</param>
    /// <param name="systemDefinitions">
    /// For a dependency's file name (for example <c>libstdc++.so.6</c>), the versions the installed copy defines,
    /// or null when no installed copy was found (then the version is treated as missing).
    /// </param>
    public static PatchReport Patch(string path, IEnumerable<string> versions, Func<string, IReadOnlySet<string>?> systemDefinitions)
    {
        var wanted = new HashSet<string>(versions, StringComparer.Ordinal);
        byte[] bytes = File.ReadAllBytes(path);
        var weakened = new List<string>();
        var alreadyWeak = new List<string>();
        var provided = new List<string>();
        var cache = new Dictionary<string, IReadOnlySet<string>?>(StringComparer.Ordinal);

        foreach (var need in ElfVersionTables.ReadNeeds(bytes))
        {
            if (!wanted.Contains(need.Name)) continue;
            if (need.IsWeak) { alreadyWeak.Add(need.Name); continue; }
            if (!cache.TryGetValue(need.File, out var defined))
                cache[need.File] = defined = systemDefinitions(need.File);
            if (defined is not null && defined.Contains(need.Name)) { provided.Add(need.Name); continue; }

            ushort flags = (ushort)(need.Flags | VersionNeed.WeakFlag);
            bytes[need.FlagsOffset] = (byte)(flags & 0xff);
            bytes[need.FlagsOffset + 1] = (byte)(flags >> 8);
            weakened.Add(need.Name);
        }

        if (weakened.Count > 0)
        {
            string temp = path + ".r1-patch.tmp";
            File.WriteAllBytes(temp, bytes);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        return new PatchReport(weakened, alreadyWeak, provided);
    }

    /// <summary>
    /// Finds the installed copy of a library the way the loader's default search does (LD_LIBRARY_PATH, then the
    /// standard directories) and returns the versions it defines, or null when there is none.
    /// </summary>
    public static IReadOnlySet<string>? InstalledDefinitions(string fileName)
    {
        var dirs = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                     "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]);
        foreach (var dir in dirs)
        {
            string candidate = Path.Combine(dir, fileName);
            if (!File.Exists(candidate)) continue;
            try { return ElfVersionTables.ReadDefinitions(File.ReadAllBytes(candidate)); }
            catch (InvalidDataException) { /* a 32-bit or foreign copy: keep looking */ }
        }
        return null;
    }
}
