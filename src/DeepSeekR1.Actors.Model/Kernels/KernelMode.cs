using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Model.Kernels;

/// <summary>Which implementation runs the operations kernels/ provides (<c>r1.kernels.mode</c>).</summary>
public enum KernelMode
{
    /// <summary>The native kernels where the library loaded and supports the tensors; the TorchSharp path otherwise.</summary>
    Auto,

    /// <summary>The native kernels always: a missing library or unsupported tensors are an error.</summary>
    Native,

    /// <summary>The TorchSharp reference paths always.</summary>
    Torch,
}

/// <summary>Parsing of <see cref="KernelMode"/> from configuration.</summary>
public static class KernelModes
{
    /// <summary>Parses "auto", "native" or "torch"; anything else is a <see cref="ConfigException"/> naming <paramref name="key"/>.</summary>
    public static KernelMode Parse(string value, string key = "r1.kernels.mode") => value switch
    {
        "auto" => KernelMode.Auto,
        "native" => KernelMode.Native,
        "torch" => KernelMode.Torch,
        _ => throw new ConfigException($"{key}: '{value}' is not auto, native or torch"),
    };
}
