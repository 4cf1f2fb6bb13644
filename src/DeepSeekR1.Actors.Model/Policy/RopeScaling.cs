namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// The rotary embedding's inverse frequencies, theta^(-2i/d) for i = 0..d/2-1, and how a scaled variant changes them
/// so that a model pre-trained on a short context reads a longer one (Hugging Face's <c>rope_type</c>):
/// <list type="bullet">
/// <item><b>default</b>: unchanged.</item>
/// <item><b>linear</b> (position interpolation): every frequency divided by the factor, as if positions were
/// factor times closer together.</item>
/// <item><b>llama3</b> (Llama 3.1): judged by wavelength 2 pi / f against the pre-training context L. Wavelengths
/// shorter than L / high_freq_factor (fine position detail) stay as they are; longer than L / low_freq_factor are
/// divided by the factor; in between the two are blended, with weight s = (L / wavelength - low) / (high - low) on
/// the unscaled frequency and 1 - s on the scaled one.</item>
/// </list>
/// Computed in double precision, element by element, so each rule reads as written.
/// </summary>
public static class RopeScaling
{
    /// <summary>The rope types implemented here; a config.json with any other is refused when it is read.</summary>
    public static readonly IReadOnlyList<string> Types = ["default", "linear", "llama3"];

    /// <summary>The d/2 inverse frequencies of <paramref name="config"/>'s rotary embedding.</summary>
    public static double[] InverseFrequencies(ModelConfig config)
    {
        int dim = config.RopeHeadDim;
        var plain = Enumerable.Range(0, dim / 2).Select(i => Math.Pow(config.RopeTheta, -2.0 * i / dim)).ToArray();
        return config.RopeType switch
        {
            "default" => plain,
            "linear" => plain.Select(f => f / config.RopeFactor).ToArray(),
            "llama3" => plain.Select(f => Llama3(f, config)).ToArray(),
            var other => throw new ArgumentException($"rope type '{other}' is not implemented (implemented: {string.Join(", ", Types)})"),
        };
    }

    private static double Llama3(double frequency, ModelConfig config)
    {
        double context = config.RopeOriginalMaxPositions > 0 ? config.RopeOriginalMaxPositions : config.MaxPositionEmbeddings;
        double low = config.RopeLowFreqFactor, high = config.RopeHighFreqFactor;
        double wavelength = 2 * Math.PI / frequency;
        if (wavelength < context / high) return frequency;
        if (wavelength > context / low) return frequency / config.RopeFactor;
        double smooth = (context / wavelength - low) / (high - low);
        return (1 - smooth) * frequency / config.RopeFactor + smooth * frequency;
    }
}
