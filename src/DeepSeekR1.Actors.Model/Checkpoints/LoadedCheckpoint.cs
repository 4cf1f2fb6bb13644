using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// A checkpoint read into memory: the model shape, its tensors (CPU, in the stored dtypes) and the facts recorded
/// with it. Disposing it disposes every tensor still in <see cref="Tensors"/>; remove a tensor from the dictionary
/// first to keep it.
/// </summary>
public sealed class LoadedCheckpoint : IDisposable
{
    /// <summary>Wraps what <see cref="Checkpoint.Load"/> read.</summary>
    public LoadedCheckpoint(
        string directory,
        ModelConfig config,
        Dictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string> metadata,
        CheckpointManifest? manifest)
    {
        Directory = directory;
        Config = config;
        Tensors = tensors;
        Metadata = metadata;
        Manifest = manifest;
    }

    /// <summary>The directory it was read from.</summary>
    public string Directory { get; }

    /// <summary>The model shape from <c>config.json</c>.</summary>
    public ModelConfig Config { get; }

    /// <summary>The tensors by Hugging Face name.</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>The free-form facts from the manifest (empty for a directory without one).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The manifest, or null for a directory without one (a raw Hugging Face download).</summary>
    public CheckpointManifest? Manifest { get; }

    /// <summary>Disposes the tensors still held.</summary>
    public void Dispose()
    {
        foreach (var tensor in Tensors.Values) tensor.Dispose();
        Tensors.Clear();
    }
}
