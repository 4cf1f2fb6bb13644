using System.Globalization;
using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// A folder of policy checkpoints, one per policy version, named <c>policy-00000042</c>. The learner saves each
/// new version here and tells the samplers its number; they load it by number. Only directories with a manifest
/// count as checkpoints, so a save in progress (still under its hidden partial name) is never listed.
/// </summary>
public sealed class CheckpointStore
{
    private const string Prefix = "policy-";

    /// <summary>Metadata key under which the policy version is recorded in each manifest.</summary>
    public const string PolicyVersionKey = "policy_version";

    /// <summary>Opens (creating if needed) the store rooted at <paramref name="root"/>.</summary>
    public CheckpointStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The folder holding the checkpoints.</summary>
    public string Root { get; }

    /// <summary>The directory of policy version <paramref name="version"/>.</summary>
    public string PathFor(long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return Path.Combine(Root, $"{Prefix}{version:D8}");
    }

    /// <summary>Saves policy version <paramref name="version"/>, recording the version in its metadata.</summary>
    /// <returns>The checkpoint's directory.</returns>
    public string Save(long version, ModelConfig config, IEnumerable<KeyValuePair<string, Tensor>> tensors, CheckpointSaveOptions? options = null)
    {
        options ??= new CheckpointSaveOptions();
        var metadata = new Dictionary<string, string>(options.Metadata)
        {
            [PolicyVersionKey] = version.ToString(CultureInfo.InvariantCulture),
        };
        return Checkpoint.Save(PathFor(version), config, tensors, options with { Metadata = metadata });
    }

    /// <summary>Loads policy version <paramref name="version"/>, verifying it unless told not to.</summary>
    public LoadedCheckpoint Load(long version, bool verify = true) => Checkpoint.Load(PathFor(version), verify);

    /// <summary>The versions with a complete checkpoint, oldest first.</summary>
    public IReadOnlyList<long> Versions() =>
        Directory.EnumerateDirectories(Root, Prefix + "*")
            .Select(dir => (Dir: dir, Version: ParseVersion(Path.GetFileName(dir))))
            .Where(entry => entry.Version is not null && File.Exists(Path.Combine(entry.Dir, CheckpointManifest.FileName)))
            .Select(entry => entry.Version!.Value)
            .Order()
            .ToList();

    /// <summary>The newest complete version, or null when the store is empty.</summary>
    public long? Latest() => Versions() is { Count: > 0 } versions ? versions[^1] : null;

    /// <summary>
    /// Deletes all but the newest <paramref name="keep"/> checkpoints. Each manifest goes first, so a checkpoint
    /// whose deletion is interrupted no longer counts as complete.
    /// </summary>
    /// <returns>The versions deleted.</returns>
    public IReadOnlyList<long> Prune(int keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var versions = Versions();
        var doomed = versions.Take(Math.Max(0, versions.Count - keep)).ToList();
        foreach (var version in doomed)
        {
            File.Delete(Path.Combine(PathFor(version), CheckpointManifest.FileName));
            Directory.Delete(PathFor(version), recursive: true);
        }
        return doomed;
    }

    private static long? ParseVersion(string name) =>
        long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
}
