using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>Scaled rotary embeddings: linear interpolation and Llama 3.1's wavelength-dependent blend.</summary>
public class RopeScalingTests
{
    // Llama 3.1 8B's rotary settings (config.json of meta-llama/Llama-3.1-8B): head_dim 128, base 500,000, and
    // rope_scaling {factor 8, low_freq_factor 1, high_freq_factor 4, original_max_position_embeddings 8192}.
    private static readonly ModelConfig Llama31 = TinyModels.Shipped with
    {
        HiddenSize = 4096, NumHeads = 32, NumKvHeads = 8, MaxPositionEmbeddings = 131072, RopeTheta = 500000,
        RopeType = "llama3", RopeFactor = 8, RopeLowFreqFactor = 1, RopeHighFreqFactor = 4, RopeOriginalMaxPositions = 8192,
    };

    [Fact]
    public void Llama3_keeps_short_wavelengths_divides_long_ones_and_blends_between()
    {
        var plain = RopeScaling.InverseFrequencies(Llama31 with { RopeType = "default" });
        var scaled = RopeScaling.InverseFrequencies(Llama31);
        Assert.Equal(64, scaled.Length);
        Assert.Equal(1.0, plain[0]);
        for (int i = 0; i < 64; i++)
        {
            double wavelength = 2 * Math.PI / plain[i];
            if (wavelength < 8192 / 4.0) Assert.Equal(plain[i], scaled[i]);                  // under 2,048 positions: as is
            else if (wavelength > 8192 / 1.0) Assert.Equal(plain[i] / 8, scaled[i], 1e-18);   // over 8,192: a factor 8 slower
            else Assert.InRange(scaled[i], plain[i] / 8, plain[i]);                           // between: blended
        }
        // A worked value in the blended band: i = 30 has wavelength 2 pi * 500000^(60/128) = 2,948.3 positions, so
        // s = (8192 / 2948.3 - 1) / 3 = 0.59285 of the plain frequency and 1 - s of an eighth of it.
        double f = Math.Pow(500000, -60.0 / 128), s = (8192 / (2 * Math.PI / f) - 1) / 3;
        Assert.Equal(2948.3, 2 * Math.PI / f, 1);
        Assert.Equal(0.59285, s, 5);
        Assert.Equal((1 - s) * f / 8 + s * f, scaled[30], 1e-15);
        // The three bands all occur, and the frequencies still fall with i.
        Assert.Contains(Enumerable.Range(0, 64), i => scaled[i] == plain[i]);
        Assert.Contains(Enumerable.Range(0, 64), i => Math.Abs(scaled[i] - plain[i] / 8) < 1e-18);
        Assert.True(scaled.Zip(scaled.Skip(1)).All(p => p.First > p.Second));
    }

    [Fact]
    public void Linear_scaling_turns_position_2p_as_plain_rope_turns_position_p()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Shipped with { HiddenSize = 64, NumHeads = 4, NumKvHeads = 2, MaxPositionEmbeddings = 64 };
        using var plain = new RotaryEmbedding(config, CPU);
        using var linear = new RotaryEmbedding(config with { RopeType = "linear", RopeFactor = 2 }, CPU);
        var even = arange(0, 64, 2, ScalarType.Int64).view(1, -1);
        var half = arange(0, 32, ScalarType.Int64).view(1, -1);
        var (cosScaled, sinScaled) = linear.Tables(even, ScalarType.Float32);
        var (cosPlain, sinPlain) = plain.Tables(half, ScalarType.Float32);
        Assert.True(cosScaled.allclose(cosPlain, rtol: 0, atol: 1e-6));
        Assert.True(sinScaled.allclose(sinPlain, rtol: 0, atol: 1e-6));
        Assert.False(linear.Tables(half, ScalarType.Float32).Cos.allclose(cosPlain, rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void A_llama31_config_json_loads_its_rope_scaling_and_writes_it_back()
    {
        string json = HfConfigJson.ToJson(Llama31 with { VocabSize = 128256, EosTokenId = 128001, PadTokenId = 128001 });
        Assert.Contains("\"rope_scaling\"", json);
        var read = HfConfigJson.Parse(json, "llama/config.json");
        Assert.Equal(("llama3", 8.0, 1.0, 4.0, 8192), (read.RopeType, read.RopeFactor, read.RopeLowFreqFactor, read.RopeHighFreqFactor, read.RopeOriginalMaxPositions));
        Assert.Equal(RopeScaling.InverseFrequencies(Llama31), RopeScaling.InverseFrequencies(read));
        // The same settings in today's transformers layout, with the base inside rope_parameters.
        string today = json.Replace("\"rope_theta\": 500000,", "").Replace("\"rope_scaling\": {", "\"rope_parameters\": {\"rope_theta\": 500000, ");
        Assert.Equal(read, HfConfigJson.Parse(today, "llama/config.json") with { MoeLayers = read.MoeLayers });
        // A misspelt key is refused by its own name (it might change the computation), before the missing one is noticed.
        var misspelt = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(json.Replace("\"low_freq_factor\"", "\"low_freq\""), "c.json"));
        Assert.Contains("'rope_scaling.low_freq' is not a key this loader reads for rope type 'llama3'", misspelt.Problem);
        var missing = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(
            json.Replace("\"low_freq_factor\": 1,", "", StringComparison.Ordinal), "c.json"));
        Assert.Contains("required key 'rope_scaling.low_freq_factor' is missing", missing.Problem);
    }

    [Fact]
    public void An_unknown_rope_type_is_refused_by_the_config_not_computed_as_plain()
    {
        var error = Assert.Throws<ArgumentException>(() => (TinyModels.Shipped with { RopeType = "longrope" }).Validate());
        Assert.Contains("rope-type", error.Message);
    }
}
