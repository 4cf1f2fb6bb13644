using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>Reads tensors from one safetensors file, each in the dtype the file stores it in.</summary>
public static class SafetensorsReader
{
    /// <summary>Reads and validates only the header of <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The file is missing or its header is damaged.</exception>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var stream = Open(path);
        return SafetensorsHeaderParser.Read(stream, path);
    }

    /// <summary>
    /// Reads the tensors of <paramref name="path"/> (those whose name <paramref name="include"/> accepts, or all)
    /// as CPU tensors in the file's dtypes. The caller owns and disposes them; they join the caller's dispose
    /// scope when one is open.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing, damaged or truncated.</exception>
    public static Dictionary<string, Tensor> Read(string path, Func<string, bool>? include = null)
    {
        using var stream = Open(path);
        var header = SafetensorsHeaderParser.Read(stream, path);
        var result = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        foreach (var info in header.Tensors)
        {
            if (include is not null && !include(info.Name)) continue;
            var tensor = empty(info.Shape, SafetensorsDTypes.ToScalarType(info.DType));
            stream.Position = header.DataStart + info.Begin;
            try
            {
                TensorBytes.Read(tensor, stream);
            }
            catch (EndOfStreamException e)
            {
                // The header check saw a long enough file; it shrank while being read.
                throw new CheckpointException(path, $"tensor '{info.Name}': data ended early", e);
            }
            result[info.Name] = tensor;
        }
        foreach (var tensor in result.Values) tensor.MoveToOuterDisposeScope();
        return result;
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(path, "safetensors file does not exist", e);
        }
    }
}
