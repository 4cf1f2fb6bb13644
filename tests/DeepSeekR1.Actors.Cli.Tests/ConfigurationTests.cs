using DeepSeekR1.Actors.Cli.Bench;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Engine.Configuration;

namespace DeepSeekR1.Actors.Cli.Tests;

public class ConfigurationTests
{
    [Fact]
    public void Every_settings_record_binds_from_the_shipped_defaults()
    {
        var config = R1Config.Load();
        var model = config.Bind<ModelConfig>("r1.model");
        Assert.Equal(256, model.HiddenSize);
        Assert.Equal(LoadBalancing.AuxFree, model.LoadBalancing);
        Assert.Equal(LossAggregation.SeqMeanTokenMean, config.Bind<GrpoSettings>("r1.grpo").LossAggregation);
        Assert.Empty(config.Bind<SamplingOptions>("r1.sampling").StopTokenIds);
        Assert.True(config.Bind<BenchSettings>("r1.bench").RooflineBatch >= 64);
        Assert.Equal("actor", config.Bind<TrainSettings>("r1.train").Engine);
    }

    [Fact]
    public void Set_overrides_win_and_are_typed()
    {
        var config = R1Config.Load(overrides: ["r1.grpo.group-size=4", "r1.grpo.loss-aggregation=dr-grpo", "r1.model.moe-layers=[1, 3]"]);
        var grpo = config.Bind<GrpoSettings>("r1.grpo");
        Assert.Equal(4, grpo.GroupSize);
        Assert.Equal(LossAggregation.DrGrpo, grpo.LossAggregation);
        Assert.Equal([1, 3], config.Bind<ModelConfig>("r1.model").MoeLayers);
    }

    [Fact]
    public void A_misspelt_key_is_an_error_that_names_it_and_suggests_the_right_one()
    {
        var e = Assert.Throws<ConfigException>(() => R1Config.Load(overrides: ["r1.grpo.group-sise=4"]));
        Assert.Contains("'r1.grpo.group-sise'", e.Message);
        Assert.Contains("did you mean 'r1.grpo.group-size'", e.Message);
    }

    [Fact]
    public void A_config_file_with_an_unknown_key_names_the_file()
    {
        string file = Path.Combine(Path.GetTempPath(), $"r1-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "r1.grpo { steps = 3\n  learning-rat = 0.1 }");
        try
        {
            var e = Assert.Throws<ConfigException>(() => R1Config.Load(file));
            Assert.Contains("r1.grpo.learning-rat", e.Message);
            Assert.Contains(file, e.Message);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_key()
    {
        var config = R1Config.Load(overrides: ["r1.grpo.group-size=many"]);
        var e = Assert.Throws<ConfigException>(() => config.Bind<GrpoSettings>("r1.grpo"));
        Assert.Contains("r1.grpo.group-size", e.Message);
    }

    [Fact]
    public void An_unknown_enum_value_lists_the_choices()
    {
        var config = R1Config.Load(overrides: ["r1.model.load-balancing=round-robin"]);
        var e = Assert.Throws<ConfigException>(() => config.Bind<ModelConfig>("r1.model"));
        Assert.Contains("aux-loss", e.Message);
        Assert.Contains("aux-free", e.Message);
    }

    [Fact]
    public void Shipped_model_presets_load_and_validate()
    {
        foreach (var preset in new[] { "model-tiny-moe.conf", "model-qwen2.5-0.5b.conf" })
        {
            var config = R1Config.Load(Path.Combine(R1Config.HoconDirectory(), preset));
            var model = config.Bind<ModelConfig>("r1.model") with { VocabSize = 151936, EosTokenId = 1, PadTokenId = 0 };
            model.Validate();
        }
    }

    [Theory]
    [InlineData("GroupSize", "group-size")]
    [InlineData("TopP", "top-p")]
    [InlineData("MaxNewTokens", "max-new-tokens")]
    public void Property_names_map_to_kebab_keys(string property, string key) => Assert.Equal(key, HoconBinder.Kebab(property));
}
