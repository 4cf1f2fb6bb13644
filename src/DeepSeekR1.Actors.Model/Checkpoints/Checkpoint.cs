using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// A checkpoint is a directory in Hugging Face's layout (<c>config.json</c>, <c>model.safetensors</c> or shards
/// plus an index, extra files such as <c>tokenizer.json</c>) with a <c>manifest.json</c> of sizes and hashes.
/// Saving is all-or-nothing: everything is written into a hidden sibling directory, the manifest last, and the
/// directory is then renamed into place, so a crash never leaves a partial checkpoint under the final name.
/// </summary>
public static class Checkpoint
{
    /// <summary>Prefix of the hidden sibling directories a save writes into before renaming.</summary>
    internal const string PartialPrefix = ".partial-";

    /// <summary>
    /// Writes a checkpoint of <paramref name="config"/> and <paramref name="tensors"/> (Hugging Face names) to
    /// <paramref name="directory"/>. Tensors may live on any device; they are copied to the CPU one at a time.
    /// </summary>
    /// <returns>The full path of the checkpoint.</returns>
    /// <exception cref="CheckpointException">The directory exists and <see cref="CheckpointSaveOptions.Overwrite"/> is off.</exception>
    /// <exception cref="ArgumentException">The config is invalid, or an extra file's name collides with a checkpoint file.</exception>
    /// <exception cref="FileNotFoundException">An extra file does not exist (nothing is left behind).</exception>
    public static string Save(
        string directory,
        ModelConfig config,
        IEnumerable<KeyValuePair<string, Tensor>> tensors,
        CheckpointSaveOptions? options = null)
    {
        options ??= new CheckpointSaveOptions();
        config.Validate();
        var final = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (Directory.Exists(final) && !options.Overwrite)
            throw new CheckpointException(final, "a checkpoint already exists here (set Overwrite to replace it)");
        CheckExtraFileNames(options.ExtraFiles);

        var parent = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(parent);
        var partial = Path.Combine(parent, $"{PartialPrefix}{Path.GetFileName(final)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(partial);
        try
        {
            HfConfigJson.Write(Path.Combine(partial, HfConfigJson.FileName), config, TorchDtypeName(options.DType));
            ShardedSafetensors.Write(partial, tensors, options.DType, options.MaxShardBytes, options.Metadata, options.PartOf);
            foreach (var extra in options.ExtraFiles)
                File.Copy(extra, Path.Combine(partial, Path.GetFileName(extra)));
            CheckpointManifest.Create(partial, options.Metadata).Write(partial);
            MoveIntoPlace(partial, final);
        }
        catch
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            throw;
        }
        return final;
    }

    /// <summary>
    /// Reads the checkpoint in <paramref name="directory"/>. With <paramref name="verify"/> the manifest must exist
    /// and every file's size and hash must match it; without, a directory lacking a manifest (a raw Hugging Face
    /// download) loads too. The caller disposes the result.
    /// </summary>
    /// <exception cref="CheckpointException">The directory, manifest, config or weights are missing or damaged.</exception>
    public static LoadedCheckpoint Load(string directory, bool verify = true)
    {
        if (!Directory.Exists(directory)) throw new CheckpointException(directory, "checkpoint directory does not exist");
        var hasManifest = File.Exists(Path.Combine(directory, CheckpointManifest.FileName));
        if (verify && !hasManifest)
            throw new CheckpointException(directory,
                $"{CheckpointManifest.FileName} is missing, so the checkpoint cannot be verified " +
                "(pass verify: false to load a directory not written by Checkpoint.Save, such as a Hugging Face download)");
        var manifest = verify ? CheckpointManifest.Verify(directory) : hasManifest ? CheckpointManifest.Read(directory) : null;

        var config = HfConfigJson.Read(Path.Combine(directory, HfConfigJson.FileName));
        var tensors = ShardedSafetensors.Read(directory);
        return new LoadedCheckpoint(directory, config, tensors, manifest?.Metadata ?? new Dictionary<string, string>(), manifest);
    }

    private static void CheckExtraFileNames(IReadOnlyList<string> extraFiles)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal)
        {
            HfConfigJson.FileName, CheckpointManifest.FileName, ShardedSafetensors.SingleFileName, ShardedSafetensors.IndexFileName,
        };
        foreach (var extra in extraFiles)
        {
            var name = Path.GetFileName(extra);
            if (!taken.Add(name) || (name.StartsWith("model-", StringComparison.Ordinal) && name.EndsWith(".safetensors", StringComparison.Ordinal)))
                throw new ArgumentException($"extra file '{extra}' would collide with another file of the checkpoint", nameof(extraFiles));
        }
    }

    /// <summary>
    /// Renames the finished directory into place. Replacing an old checkpoint takes two renames (old aside, new in);
    /// a crash between them leaves the old one under a hidden name and no checkpoint under the final name, never a
    /// mixture of the two.
    /// </summary>
    private static void MoveIntoPlace(string partial, string final)
    {
        if (!Directory.Exists(final))
        {
            Directory.Move(partial, final);
            return;
        }
        var parent = Path.GetDirectoryName(final)!;
        var aside = Path.Combine(parent, $"{PartialPrefix}{Path.GetFileName(final)}-replaced-{Guid.NewGuid():N}");
        Directory.Move(final, aside);
        Directory.Move(partial, final);
        Directory.Delete(aside, recursive: true);
    }

    /// <summary>The <c>torch_dtype</c> spelling Hugging Face uses for a store dtype, for config.json.</summary>
    private static string? TorchDtypeName(SafetensorsDType? dtype) => dtype switch
    {
        SafetensorsDType.F32 => "float32",
        SafetensorsDType.BF16 => "bfloat16",
        SafetensorsDType.F16 => "float16",
        SafetensorsDType.F64 => "float64",
        _ => null,
    };
}
