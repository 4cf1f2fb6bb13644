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
/// <item><b>dynamic</b> (dynamic NTK, bloc97/emozilla): the frequencies are plain until a forward pass reaches past
/// max_position_embeddings M; a pass whose furthest position is n - 1 (n &gt; M) raises the base to
/// theta (factor n / M - (factor - 1))^(d / (d - 2)) (<see cref="DynamicInverseFrequencies"/>).</item>
/// <item><b>yarn</b> (YaRN, Peng et al. 2023, "NTK-by-parts"): dimension i is extrapolated (kept) when it turns more
/// than beta_fast times over the pre-training context L, interpolated (divided by the factor) when it turns fewer
/// than beta_slow times, and ramped linearly between; the cos/sin tables are then multiplied by an attention factor
/// (<see cref="YarnAttentionFactor"/>, <see cref="ModelConfig.RopeAttentionFactor"/>).</item>
/// </list>
/// Computed in double precision, element by element, so each rule reads as written. Which transformers version's
/// reading of a config.json's keys gives these settings is decided when the file is read (docs/hugging-face.md).
/// </summary>
public static class RopeScaling
{
    /// <summary>The rope types implemented here; a config.json with any other is refused when it is read.</summary>
    public static readonly IReadOnlyList<string> Types = ["default", "linear", "llama3", "dynamic", "yarn"];

    /// <summary>The d/2 inverse frequencies of <paramref name="config"/>'s rotary embedding (dynamic: up to max_position_embeddings).</summary>
    public static double[] InverseFrequencies(ModelConfig config)
    {
        var plain = Plain(config.RopeTheta, config.RopeHeadDim);
        return config.RopeType switch
        {
            "default" or "dynamic" => plain,
            "linear" => plain.Select(f => f / config.RopeFactor).ToArray(),
            "llama3" => plain.Select(f => Llama3(f, config)).ToArray(),
            "yarn" => Yarn(config),
            var other => throw new ArgumentException($"rope type '{other}' is not implemented (implemented: {string.Join(", ", Types)})"),
        };
    }

    /// <summary>
    /// Dynamic NTK's frequencies for a forward pass covering <paramref name="sequenceLength"/> positions (its furthest
    /// position + 1): plain up to max_position_embeddings M, beyond it with the base raised to
    /// theta (factor n / M - (factor - 1))^(d / (d - 2)), as transformers' <c>_compute_dynamic_ntk_parameters</c>.
    /// </summary>
    public static double[] DynamicInverseFrequencies(ModelConfig config, long sequenceLength)
    {
        int dim = config.RopeHeadDim;
        double m = config.MaxPositionEmbeddings, n = Math.Max(sequenceLength, config.MaxPositionEmbeddings);
        double theta = config.RopeTheta * Math.Pow(config.RopeFactor * n / m - (config.RopeFactor - 1), dim / (dim - 2.0));
        return Plain(theta, dim);
    }

    /// <summary>
    /// YaRN's default attention factor for a scale s and a multiplier m: 0.1 m ln(s) + 1, and 1 when s &lt;= 1
    /// (transformers' and DeepSeek's <c>get_mscale</c>).
    /// </summary>
    public static double YarnMscale(double scale, double multiplier = 1.0) => scale <= 1 ? 1.0 : 0.1 * multiplier * Math.Log(scale) + 1.0;

    /// <summary>
    /// What the cos/sin tables are multiplied by: yarn's attention factor, 1 for every other type.
    /// </summary>
    public static double YarnAttentionFactor(ModelConfig config) => config.RopeType == "yarn" ? config.RopeAttentionFactor : 1.0;

    /// <summary>
    /// DeepSeek-V3's extra softmax temperature under yarn: the attention's 1/sqrt(d) is multiplied by
    /// get_mscale(factor, mscale_all_dim)^2 when mscale_all_dim is set (transformers' <c>DeepseekV3Attention</c> and
    /// DeepSeek's own modeling code). 1 for other types or without mscale_all_dim.
    /// </summary>
    public static double SoftmaxScaleMultiplier(ModelConfig config)
    {
        if (config.RopeType != "yarn" || config.RopeMscaleAllDim == 0) return 1.0;
        double m = YarnMscale(config.RopeFactor, config.RopeMscaleAllDim);
        return m * m;
    }

    /// <summary>
    /// The longest sequence the model serves: max_position_embeddings, or for yarn the pre-training context times the
    /// factor when that is longer (Qwen2.5's long-context recipe keeps max_position_embeddings at 32,768 and reads
    /// 131,072), and for dynamic NTK max_position_embeddings times the factor.
    /// </summary>
    public static int ContextLength(ModelConfig config) => config.RopeType switch
    {
        "yarn" => (int)Math.Max(config.MaxPositionEmbeddings, Math.Floor(OriginalContext(config) * config.RopeFactor)),
        "dynamic" => (int)Math.Floor(config.MaxPositionEmbeddings * config.RopeFactor),
        _ => config.MaxPositionEmbeddings,
    };

    private static double OriginalContext(ModelConfig config) =>
        config.RopeOriginalMaxPositions > 0 ? config.RopeOriginalMaxPositions : config.MaxPositionEmbeddings;

    private static double[] Plain(double theta, int dim) =>
        Enumerable.Range(0, dim / 2).Select(i => Math.Pow(theta, -2.0 * i / dim)).ToArray();

    private static double Llama3(double frequency, ModelConfig config)
    {
        double context = OriginalContext(config);
        double low = config.RopeLowFreqFactor, high = config.RopeHighFreqFactor;
        double wavelength = 2 * Math.PI / frequency;
        if (wavelength < context / high) return frequency;
        if (wavelength > context / low) return frequency / config.RopeFactor;
        double smooth = (context / wavelength - low) / (high - low);
        return (1 - smooth) * frequency / config.RopeFactor + smooth * frequency;
    }

    /// <summary>
    /// YaRN's frequencies. Dimension i turns L / (2 pi theta^(2i/d)) times over the context L; solving for the
    /// dimension that turns r times gives d ln(L / (2 pi r)) / (2 ln theta). beta_fast and beta_slow give the two ends
    /// of the ramp (rounded outwards unless truncate is false, clipped to 0..d-1); below the ramp a dimension keeps its
    /// frequency, above it the frequency is divided by the factor, and on it the two are mixed linearly.
    /// </summary>
    private static double[] Yarn(ModelConfig config)
    {
        int dim = config.RopeHeadDim;
        double theta = config.RopeTheta, context = OriginalContext(config);
        double Dimension(double rotations) => dim * Math.Log(context / (rotations * 2 * Math.PI)) / (2 * Math.Log(theta));
        double low = Dimension(config.RopeBetaFast), high = Dimension(config.RopeBetaSlow);
        if (config.RopeTruncate)
        {
            low = Math.Floor(low);
            high = Math.Ceiling(high);
        }
        low = Math.Max(low, 0);
        high = Math.Min(high, dim - 1);
        if (low == high) high += 0.001;   // transformers' guard against a zero-width ramp
        return Plain(theta, dim).Select((extrapolated, i) =>
        {
            double ramp = Math.Clamp((i - low) / (high - low), 0, 1);   // 0: keep, 1: interpolate
            return extrapolated / config.RopeFactor * ramp + extrapolated * (1 - ramp);
        }).ToArray();
    }
}
