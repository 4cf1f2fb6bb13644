using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// The file a bfloat16 trainer's float32 master weights are saved in beside its optimizer state
/// (<c>optimizer.bin</c> → <c>optimizer.masters.safetensors</c>, <c>optimizer.expert-shard-0.bin</c> →
/// <c>optimizer.expert-shard-0.masters.safetensors</c>), keyed by parameter name. A checkpoint's weights hold only the
/// masters' rounding; a resume that took them from there would lose every update still below bfloat16 resolution.
/// </summary>
public static class MasterWeightsFile
{
    /// <summary>The masters file beside the optimizer state at <paramref name="optimizerPath"/>.</summary>
    public static string PathBeside(string optimizerPath)
    {
        ArgumentNullException.ThrowIfNull(optimizerPath);
        return Path.Combine(Path.GetDirectoryName(optimizerPath) ?? ".", $"{Path.GetFileNameWithoutExtension(optimizerPath)}.masters.safetensors");
    }

    /// <summary>Writes <paramref name="masters"/> (float32, by name) to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> masters) =>
        SafetensorsWriter.Write(path, masters.Select(m => KeyValuePair.Create(m.Name, m.Tensor)), SafetensorsDType.F32,
            new Dictionary<string, string> { ["format"] = "pt", ["content"] = "float32 master weights" });

    /// <summary>
    /// Reads the masters at <paramref name="path"/>; a missing file is refused with why it matters (the caller's model is
    /// bfloat16, so it needs them). The tensors join the caller's dispose scope.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing or damaged.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointException(path, "this bfloat16 model's float32 master weights are missing (the checkpoint was written by a float32 run, " +
                "or before masters were saved); resuming from its rounded bfloat16 weights alone would not continue the stopped run");
        return SafetensorsReader.Read(path);
    }
}
