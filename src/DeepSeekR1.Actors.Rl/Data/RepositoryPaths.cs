namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>Finds files the repository ships (the base model, the hocon folder) wherever r1 is run from.</summary>
public static class RepositoryPaths
{
    /// <summary>
    /// <paramref name="path"/> itself when it exists relative to the working directory (or is absolute), else the same
    /// relative path under the first ancestor of the binary's folder that has it; null when neither exists.
    /// </summary>
    public static string? Resolve(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path) || Directory.Exists(path)) return Path.GetFullPath(path);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate) || Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
