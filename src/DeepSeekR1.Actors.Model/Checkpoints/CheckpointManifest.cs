using System.Security.Cryptography;
using System.Text.Json;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>One file of a checkpoint as the manifest records it.</summary>
/// <param name="Path">Path relative to the checkpoint directory, with '/' separators.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Sha256">SHA-256 of the contents, lowercase hex.</param>
public sealed record ManifestFile(string Path, long Size, string Sha256);

/// <summary>
/// <c>manifest.json</c>: the list of a checkpoint's files with their sizes and SHA-256 hashes, written last so its
/// presence means the checkpoint is complete, and checked on load so a damaged copy (a flipped bit on a disk, a
/// file cut short by a full volume) is caught before the weights reach the trainer.
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>The file name.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The format version this code writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Format version of the manifest.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>When the checkpoint was written (UTC).</summary>
    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>What wrote it: program, version and machine.</summary>
    public string CreatedBy { get; init; } = "";

    /// <summary>Free-form facts about the checkpoint (training step, policy version, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Every file of the checkpoint except the manifest itself, in path order.</summary>
    public IReadOnlyList<ManifestFile> Files { get; init; } = [];

    /// <summary>Describes every file now under <paramref name="directory"/> (hashing each).</summary>
    public static CheckpointManifest Create(string directory, IReadOnlyDictionary<string, string> metadata)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(full => Path.GetRelativePath(directory, full).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(relative => relative != FileName)
            .Order(StringComparer.Ordinal)
            .Select(relative =>
            {
                var full = Path.Combine(directory, relative);
                return new ManifestFile(relative, new FileInfo(full).Length, HashFile(full));
            })
            .ToList();
        var assembly = typeof(CheckpointManifest).Assembly.GetName();
        return new CheckpointManifest
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            CreatedBy = $"{assembly.Name} {assembly.Version} on {Environment.MachineName}",
            Metadata = new Dictionary<string, string>(metadata),
            Files = files,
        };
    }

    /// <summary>Writes the manifest into <paramref name="directory"/>, flushed to disk.</summary>
    public void Write(string directory)
    {
        using var stream = new FileStream(Path.Combine(directory, FileName), FileMode.Create, FileAccess.Write);
        JsonSerializer.Serialize(stream, this, Json);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Reads the manifest of <paramref name="directory"/> without checking the files.</summary>
    /// <exception cref="CheckpointException">The manifest is missing or unreadable.</exception>
    public static CheckpointManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new CheckpointException(path, "manifest is missing");
        CheckpointManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"is not a valid manifest: {e.Message}", e);
        }
        if (manifest is null) throw new CheckpointException(path, "is empty (JSON null)");
        if (manifest.FormatVersion != CurrentFormatVersion)
            throw new CheckpointException(path, $"format version {manifest.FormatVersion} is not the supported {CurrentFormatVersion}");
        foreach (var file in manifest.Files)
            if (file?.Path is null || file.Sha256 is null || !IsInside(file.Path))
                throw new CheckpointException(path, $"lists a file entry without a relative path inside the checkpoint ('{file?.Path}')");
        return manifest;
    }

    /// <summary>
    /// Reads the manifest of <paramref name="directory"/> and recomputes every listed file's size and hash.
    /// Files the manifest does not list are allowed (nothing reads them as part of the checkpoint).
    /// </summary>
    /// <exception cref="CheckpointException">The manifest is missing or damaged, or names the first listed file that
    /// is missing or whose size or hash differs.</exception>
    public static CheckpointManifest Verify(string directory)
    {
        var manifest = Read(directory);
        foreach (var file in manifest.Files)
        {
            var full = Path.Combine(directory, file.Path);
            if (!File.Exists(full)) throw new CheckpointException(full, "listed in the manifest but missing");
            var size = new FileInfo(full).Length;
            if (size != file.Size)
                throw new CheckpointException(full, $"is {size} bytes but the manifest says {file.Size}");
            var hash = HashFile(full);
            if (!string.Equals(hash, file.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new CheckpointException(full, $"SHA-256 {hash} does not match the manifest's {file.Sha256}: the file is damaged");
        }
        return manifest;
    }

    private static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A manifest path must stay inside the checkpoint, so a crafted manifest cannot make us read elsewhere.</summary>
    private static bool IsInside(string relative) =>
        relative.Length > 0 && !Path.IsPathRooted(relative) && !relative.Split('/', '\\').Contains("..");
}
