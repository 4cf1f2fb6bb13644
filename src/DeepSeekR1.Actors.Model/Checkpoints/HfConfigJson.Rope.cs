using System.Globalization;
using DeepSeekR1.Actors.Model.Policy;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// RoPE's base and scaling as a config.json gives them: yesterday's transformers write a top-level rope_theta and a
/// rope_scaling object, today's a rope_parameters object holding both. Plain, linear, llama3, dynamic and yarn RoPE are
/// implemented; any other rope type (longrope, ...), a partial rotary dimension, or a key of a scaled type this reader
/// does not know is refused by name, never computed as something else.
/// <para>
/// yarn's keys have meant different things over transformers' history, so its formula is chosen by the file's
/// <c>transformers_version</c> (the table is in docs/hugging-face.md):
/// <list type="bullet">
/// <item><b>4.43 to 4.49</b>: the ramp is placed over max_position_embeddings (original_max_position_embeddings,
/// mscale, mscale_all_dim and truncate are not read); the attention factor is attention_factor or 0.1 ln(factor) + 1.</item>
/// <item><b>4.50 and later</b>: the ramp is placed over original_max_position_embeddings (default
/// max_position_embeddings); the attention factor is attention_factor, or get_mscale(factor, mscale) /
/// get_mscale(factor, mscale_all_dim) when both are set and non-zero, or get_mscale(factor); truncate (from 4.55) may
/// turn off the rounding of the ramp's ends. 4.50 to 4.57 replace factor by max_position_embeddings /
/// original_max_position_embeddings when the latter is given (transformers issue 38224; 5.x uses factor as written):
/// a file where the two differ and whose version is in that range is refused rather than read either way.</item>
/// <item><b>deepseek_v3 before 4.50</b> (DeepSeek-V3's own config says 4.46.3; transformers had no deepseek_v3 then,
/// so the file was written for DeepSeek's modeling code): factor as written, the ramp over
/// original_max_position_embeddings, attention factor get_mscale(factor, mscale or 1) / get_mscale(factor,
/// mscale_all_dim or 0).</item>
/// </list>
/// A file with no version or an older one is read as 4.43-4.49 and as 5.x would (not as 4.50-4.57's replacement of the
/// factor, a since-fixed bug), a 4.50.x file as 4.43-4.49 and as 4.50+ would: it loads when these give the same
/// numbers, and is refused otherwise, naming <c>transformers_version</c>. deepseek_v3 additionally multiplies its softmax
/// scale by get_mscale(factor, mscale_all_dim)^2 under yarn (every version and DeepSeek's code agree).
/// </para>
/// </summary>
public static partial class HfConfigJson
{
    /// <summary>The transformers version whose meaning this writer gives yarn's keys (written into a yarn config.json).</summary>
    private const string YarnWrittenAs = "5.0.0";

    /// <summary>The keys each scaled rope type is read with here (rope_type/type, rope_theta, partial_rotary_factor aside).</summary>
    private static readonly Dictionary<string, string[]> RopeKeys = new()
    {
        ["linear"] = ["factor"],
        ["llama3"] = ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"],
        ["dynamic"] = ["factor", "original_max_position_embeddings"],
        ["yarn"] = ["factor", "original_max_position_embeddings", "attention_factor", "beta_fast", "beta_slow", "mscale", "mscale_all_dim", "truncate"],
    };

    private sealed record Rope(double Theta, string Type, double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions,
        double AttentionFactor, double BetaFast, double BetaSlow, bool Truncate, double MscaleAllDim);

    /// <summary>Which reading of yarn's keys a formula is (see the class remarks).</summary>
    private enum YarnReading
    {
        Transformers443,
        Transformers450,
        DeepSeekCode,
    }

    private static Rope ReadRope(Fields f, string modelType, bool latent, int maxPositions)
    {
        var defaults = ModelConfig.Defaults;
        double? top = f.Double("rope_theta");
        double? nested = null;
        Rope? scaled = null;
        foreach (string key in (string[])["rope_parameters", "rope_scaling"])
        {
            if (f.Object(key) is not { } rope) continue;
            string type = rope.String("rope_type") ?? rope.String("type") ?? "default";
            if (!RopeScaling.Types.Contains(type))
                throw f.Error($"'{key}.rope_type' is '{type}': that scaled rotary embedding is not implemented (implemented: {string.Join(", ", RopeScaling.Types)})");
            if (rope.Double("partial_rotary_factor") is { } partial && partial != 1.0)
                throw f.Error($"'{key}.partial_rotary_factor' is {partial}: rotating part of each head is not implemented");
            if (rope.Double("rope_theta") is { } theta)
            {
                if (nested is { } other && other != theta) throw f.Error($"'{key}.rope_theta' ({theta}) contradicts another rope_theta ({other})");
                nested = theta;
            }
            if (type == "default") continue;   // plain RoPE reads no other key, in transformers as here
            foreach (var name in rope.Keys)
                if (name is not ("rope_type" or "type" or "rope_theta" or "partial_rotary_factor") && !RopeKeys[type].Contains(name))
                    throw f.Error($"'{rope.Name(name)}' is not a key this loader reads for rope type '{type}' (it reads {string.Join(", ", RopeKeys[type])}); refused rather than ignored, since it may change the computation");
            var these = type switch
            {
                "yarn" => ReadYarn(f, rope, modelType, latent, maxPositions, defaults),
                "dynamic" => ReadDynamic(f, rope, maxPositions, defaults),
                _ => Scaled(defaults, type, rope.RequiredDouble("factor")) with
                {
                    LowFreqFactor = type == "llama3" ? rope.RequiredDouble("low_freq_factor") : defaults.RopeLowFreqFactor,
                    HighFreqFactor = type == "llama3" ? rope.RequiredDouble("high_freq_factor") : defaults.RopeHighFreqFactor,
                    OriginalMaxPositions = type == "llama3" ? rope.RequiredInt("original_max_position_embeddings") : defaults.RopeOriginalMaxPositions,
                },
            };
            if (scaled is not null && scaled != these) throw f.Error($"'{key}' contradicts the other rope settings ({scaled.Type}, factor {scaled.Factor})");
            scaled = these;
        }
        if (f.Double("partial_rotary_factor") is { } topPartial && topPartial != 1.0)
            throw f.Error($"'partial_rotary_factor' is {topPartial}: rotating part of each head is not implemented");
        // Phi-3 style: transformers 5 lets a top-level original_max_position_embeddings override the rope object's.
        if (f.Int("original_max_position_embeddings") is { } topOriginal && scaled is { Type: "yarn" or "llama3" } && topOriginal != scaled.OriginalMaxPositions)
            throw f.Error($"'original_max_position_embeddings' ({topOriginal}) contradicts the rope settings' ({scaled.OriginalMaxPositions}); transformers versions disagree on which wins");
        if (top is { } a && nested is { } b && a != b) throw f.Error($"'rope_theta' ({a}) contradicts 'rope_parameters.rope_theta' ({b})");
        // Neither: the default of Llama's and Qwen2's config classes.
        double baseTheta = top ?? nested ?? 10000.0;
        return (scaled ?? Scaled(defaults, "default", defaults.RopeFactor)) with { Theta = baseTheta };
    }

    /// <summary>A rope of <paramref name="type"/> with every other setting at its shipped default.</summary>
    private static Rope Scaled(ModelConfig defaults, string type, double factor) => new(0, type, factor, defaults.RopeLowFreqFactor,
        defaults.RopeHighFreqFactor, defaults.RopeOriginalMaxPositions, defaults.RopeAttentionFactor, defaults.RopeBetaFast, defaults.RopeBetaSlow,
        defaults.RopeTruncate, defaults.RopeMscaleAllDim);

    /// <summary>
    /// Dynamic NTK, the same formula in every transformers version since 4.31: it scales against max_position_embeddings
    /// and reads no original_max_position_embeddings (a TODO in transformers' source), so one that says otherwise is refused.
    /// </summary>
    private static Rope ReadDynamic(Fields f, Fields rope, int maxPositions, ModelConfig defaults)
    {
        if (rope.Int("original_max_position_embeddings") is { } original && original != maxPositions)
            throw f.Error($"'{rope.Name("original_max_position_embeddings")}' is {original}, but transformers' dynamic NTK scales against max_position_embeddings ({maxPositions}) and ignores it; refused rather than read either way");
        return Scaled(defaults, "dynamic", rope.RequiredDouble("factor"));
    }

    /// <summary>yarn under every reading the file's transformers_version allows; they must agree (see the class remarks).</summary>
    private static Rope ReadYarn(Fields f, Fields rope, string modelType, bool latent, int maxPositions, ModelConfig defaults)
    {
        string? versionText = f.String("transformers_version");
        var version = ParseVersion(versionText);
        bool deepseek = modelType == "deepseek_v3";
        YarnReading[] readings = (deepseek, version) switch
        {
            (true, null) => [YarnReading.DeepSeekCode],
            (true, { } v) when v < new Version(4, 50) => [YarnReading.DeepSeekCode],
            (true, { } v) when v < new Version(4, 51) => [YarnReading.DeepSeekCode, YarnReading.Transformers450],
            (true, _) => [YarnReading.Transformers450],
            (false, null) => [YarnReading.Transformers443, YarnReading.Transformers450],
            (false, { } v) when v < new Version(4, 43) => [YarnReading.Transformers443, YarnReading.Transformers450],
            (false, { } v) when v < new Version(4, 50) => [YarnReading.Transformers443],
            (false, { } v) when v < new Version(4, 51) => [YarnReading.Transformers443, YarnReading.Transformers450],
            _ => [YarnReading.Transformers450],
        };
        var results = readings.Select(r => (Reading: r, Rope: Yarn(f, rope, r, version, deepseek, latent, maxPositions, defaults))).ToList();
        if (results.Select(r => r.Rope).Distinct().Count() > 1)
        {
            string said = versionText is null ? "absent" : $"'{versionText}'";
            string how = string.Join("; ", results.Select(r => $"{Describe(r.Reading)} gives factor {r.Rope.Factor}, ramp over {r.Rope.OriginalMaxPositions} positions, attention factor {r.Rope.AttentionFactor}"));
            throw f.Error($"'transformers_version' is {said}, and the transformers versions it may mean read this yarn rope differently ({how}); set it to the version the checkpoint was made with");
        }
        return results[0].Rope;
    }

    private static string Describe(YarnReading reading) => reading switch
    {
        YarnReading.Transformers443 => "transformers 4.43-4.49",
        YarnReading.Transformers450 => "transformers 4.50 and later",
        _ => "DeepSeek's modeling code",
    };

    /// <summary>yarn's settings as one reading computes them from the keys.</summary>
    private static Rope Yarn(Fields f, Fields rope, YarnReading reading, Version? version, bool deepseek, bool latent, int maxPositions, ModelConfig defaults)
    {
        double? factorKey = rope.Double("factor");
        int? originalKey = rope.Int("original_max_position_embeddings");
        double? attention = rope.Double("attention_factor"), mscale = rope.Double("mscale"), mscaleAllDim = rope.Double("mscale_all_dim");
        bool? truncate = rope.Bool("truncate");
        // transformers reads both with `or`: absent and 0 both mean the paper's 32 and 1.
        double betaFast = rope.Double("beta_fast") is { } fast and not 0 ? fast : 32, betaSlow = rope.Double("beta_slow") is { } slow and not 0 ? slow : 1;
        if (betaFast < 0 || betaSlow < 0) throw f.Error($"'{rope.Name("beta_fast")}' and '{rope.Name("beta_slow")}' must not be negative");
        if (originalKey is <= 0) throw f.Error($"'{rope.Name("original_max_position_embeddings")}' must be positive");
        if (mscaleAllDim is < 0 || mscale is < 0) throw f.Error($"'{rope.Name("mscale")}' and '{rope.Name("mscale_all_dim")}' must not be negative");
        // Only transformers 5 derives a missing factor (from the two context lengths); earlier versions need it written.
        double factor = factorKey ?? (reading == YarnReading.Transformers450 && version is { Major: >= 5 } && originalKey is { } o
            ? (double)maxPositions / o
            : throw f.Error($"required key '{rope.Name("factor")}' is missing"));
        if (factor < 1) throw f.Error($"'{rope.Name("factor")}' is {factor}: yarn's factor must be at least 1");
        // The softmax temperature of DeepSeek-V3's attention (latent attention only; for other models mscale_all_dim
        // enters only the attention factor below).
        double softmax = latent ? mscaleAllDim ?? 0 : 0;
        if (!latent && deepseek && mscaleAllDim is > 0)
            throw f.Error($"'{rope.Name("mscale_all_dim")}' is set on a deepseek_v3 model without latent attention, whose softmax this loader does not scale");
        switch (reading)
        {
            case YarnReading.Transformers443:
                // Keys these versions did not know: a file that sets them was not made for them.
                if (mscale is not null || mscaleAllDim is not null)
                    throw f.Error($"'{rope.Name(mscale is not null ? "mscale" : "mscale_all_dim")}' is set, but transformers 4.43-4.49 (which 'transformers_version' may mean) do not read it");
                if (truncate == false) throw f.Error($"'{rope.Name("truncate")}' is false, but transformers 4.43-4.49 (which 'transformers_version' may mean) do not read truncate");
                return Scaled(defaults, "yarn", factor) with
                {
                    OriginalMaxPositions = maxPositions, AttentionFactor = attention ?? RopeScaling.YarnMscale(factor),
                    BetaFast = betaFast, BetaSlow = betaSlow, Truncate = true, MscaleAllDim = 0,
                };
            case YarnReading.DeepSeekCode:
                if (attention is not null) throw f.Error($"'{rope.Name("attention_factor")}' is set, but DeepSeek's modeling code (which a deepseek_v3 config of this transformers_version was written for) does not read it");
                if (truncate == false) throw f.Error($"'{rope.Name("truncate")}' is false, but DeepSeek's modeling code always rounds the ramp's ends");
                if (originalKey is null) throw f.Error($"required key '{rope.Name("original_max_position_embeddings")}' is missing (DeepSeek's modeling code would take 4096)");
                return Scaled(defaults, "yarn", factor) with
                {
                    OriginalMaxPositions = originalKey.Value,
                    AttentionFactor = RopeScaling.YarnMscale(factor, mscale ?? 1) / RopeScaling.YarnMscale(factor, mscaleAllDim ?? 0),
                    BetaFast = betaFast, BetaSlow = betaSlow, Truncate = true, MscaleAllDim = softmax,
                };
            default:
                if (version is { } v && v < new Version(5, 0) && originalKey is { } original && factorKey is { } written && written != (double)maxPositions / original)
                    throw f.Error($"'{rope.Name("factor")}' is {written}, but transformers {v} (its 'transformers_version') replaces it by max_position_embeddings / original_max_position_embeddings = {maxPositions}/{original} (transformers issue 38224; 5.x keeps the written factor); refused rather than read either way: make the two agree or set transformers_version");
                if (truncate == false && version is { } w && w < new Version(4, 55))
                    throw f.Error($"'{rope.Name("truncate")}' is false, but transformers {w} (its 'transformers_version') does not read truncate");
                return Scaled(defaults, "yarn", factor) with
                {
                    OriginalMaxPositions = originalKey ?? maxPositions,
                    AttentionFactor = attention ?? (mscale is > 0 && mscaleAllDim is > 0
                        ? RopeScaling.YarnMscale(factor, mscale.Value) / RopeScaling.YarnMscale(factor, mscaleAllDim.Value)
                        : RopeScaling.YarnMscale(factor)),
                    BetaFast = betaFast, BetaSlow = betaSlow, Truncate = truncate ?? true, MscaleAllDim = softmax,
                };
        }
    }

    /// <summary>"4.46.3", "5.0.0.dev0", "4.57.0rc1" as major.minor.patch; null when absent or not a version.</summary>
    private static Version? ParseVersion(string? text)
    {
        if (text is null) return null;
        var numbers = text.Split('.').Take(3).Select(part => new string(part.TakeWhile(char.IsAsciiDigit).ToArray())).ToList();
        if (numbers.Count < 2 || numbers[0].Length == 0 || numbers[1].Length == 0) return null;
        int Part(int i) => i < numbers.Count && numbers[i].Length > 0 ? int.Parse(numbers[i], CultureInfo.InvariantCulture) : 0;
        return new Version(Part(0), Part(1), Part(2));
    }

    // The older key, which every transformers version reads (today's turns it into rope_parameters).
    private static void WriteRopeScaling(System.Text.Json.Utf8JsonWriter json, ModelConfig config)
    {
        json.WriteStartObject("rope_scaling");
        json.WriteString("rope_type", config.RopeType);
        json.WriteNumber("factor", config.RopeFactor);
        int original = config.RopeOriginalMaxPositions > 0 ? config.RopeOriginalMaxPositions : config.MaxPositionEmbeddings;
        if (config.RopeType == "llama3")
        {
            json.WriteNumber("low_freq_factor", config.RopeLowFreqFactor);
            json.WriteNumber("high_freq_factor", config.RopeHighFreqFactor);
            json.WriteNumber("original_max_position_embeddings", original);
        }
        if (config.RopeType == "yarn")
        {
            // Every derived value written out, so that no version's default decides it (the file also names 5.0.0).
            json.WriteNumber("original_max_position_embeddings", original);
            json.WriteNumber("attention_factor", config.RopeAttentionFactor);
            json.WriteNumber("beta_fast", config.RopeBetaFast);
            json.WriteNumber("beta_slow", config.RopeBetaSlow);
            json.WriteBoolean("truncate", config.RopeTruncate);
            if (config.RopeMscaleAllDim > 0) json.WriteNumber("mscale_all_dim", config.RopeMscaleAllDim);
        }
        json.WriteEndObject();
    }
}
