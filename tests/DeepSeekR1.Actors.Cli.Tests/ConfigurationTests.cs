using DeepSeekR1.Actors.Cli.Bench;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Configuration;

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

    // Every record a HOCON section binds to. Its defaults live only in hocon/: each property is `required`, so C# has
    // nowhere to put a value of its own, and `Defaults` is the shipped section bound.
    public static TheoryData<Type, string> SettingsRecords() => new()
    {
        { typeof(ModelConfig), "r1.model" }, { typeof(SamplingOptions), "r1.sampling" }, { typeof(GrpoSettings), "r1.grpo" },
        { typeof(Rl.Evaluation.EvalSettings), "r1.eval" }, { typeof(Rl.Sft.SftSettings), "r1.sft" },
        { typeof(Rl.Pretraining.PretrainSettings), "r1.pretrain" }, { typeof(Rl.Distillation.RejectionFilters), "r1.sample.filters" },
        { typeof(TrainSettings), "r1.train" }, { typeof(BenchSettings), "r1.bench" },
        { typeof(Engine.Hosting.EngineSettings), "r1.engine" }, { typeof(Engine.Pbm.PbmSettings), "r1.pbm" },
        { typeof(Engine.Cluster.ClusterSection), "r1.cluster" }, { typeof(Rl.Data.QaJsonlFields), "r1.jsonl" },
        { typeof(Model.Policy.Moe.ExpertSettings), "r1.experts" }, { typeof(AsyncSettings), "r1.async" },
        { typeof(Cli.Pipeline.PipelinePlan), "r1.pipeline.plan" }, { typeof(Cli.Pipeline.ColdStartStage), "r1.pipeline.cold-start" },
        { typeof(Cli.Pipeline.RlStage), "r1.pipeline.reasoning-rl" }, { typeof(Cli.Pipeline.SamplingStage), "r1.pipeline.rejection-sampling" },
        { typeof(Cli.Pipeline.RejectionSftStage), "r1.pipeline.rejection-sft" }, { typeof(Cli.Pipeline.DistillStage), "r1.pipeline.distill" },
        { typeof(Rl.RewardModels.RewardModelSettings), "r1.rm" }, { typeof(Serving.ServeSettings), "r1.serve" },
        { typeof(Serving.RiskControlSettings), "r1.risk-control" }, { typeof(Rl.Safety.SafetyEvalSettings), "r1.safety-eval" },
        { typeof(Rl.Rewards.Code.CodeRewardSettings), "r1.rewards.code" },
        { typeof(Rl.RewardModels.ModelRewardSettings), "r1.rewards.models" },
    };

    [Theory]
    [MemberData(nameof(SettingsRecords))]
    public void A_settings_record_has_no_defaults_of_its_own(Type type, string section)
    {
        var settable = type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.SetMethod is not null).ToArray();
        Assert.NotEmpty(settable);
        foreach (var property in settable)
            Assert.True(property.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute"),
                $"{type.Name}.{property.Name} is not required: a value it is given in C# would be a second default beside {section} in hocon/");

        var shipped = typeof(HoconBinder).GetMethod(nameof(HoconBinder.Bind))!.MakeGenericMethod(type).Invoke(null, [R1Config.Load().Root, section]);
        if (type.GetProperty("Defaults", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static) is { } defaults)
            Assert.Equal(shipped, defaults.GetValue(null), new SameJson());
    }

    // Records holding lists compare by reference; their JSON compares by value.
    private sealed class SameJson : IEqualityComparer<object?>
    {
        public new bool Equals(object? x, object? y) => System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);
        public int GetHashCode(object? obj) => 0;
    }

    [Fact]
    public void The_settings_list_above_holds_every_record_the_binder_reads()
    {
        // A record gets into R1Config.Bind / HoconBinder.Bind only by being named in code; every `Bind<X>(` in src/ is
        // listed above, so a new settings record cannot be added without the required-members check.
        var listed = SettingsRecords().Select(row => ((Type)row[0]).Name).ToHashSet();
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "DeepSeekR1.Actors.sln"))) root = root.Parent!;
        string src = Path.Combine(root.FullName, "src");
        var bound = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"Bind<(\w+)>\(").Select(m => m.Groups[1].Value))
            .Where(name => name != "T").ToHashSet();
        Assert.Empty(bound.Except(listed));
    }

    [Fact]
    public void Set_overrides_win_and_are_typed()
    {
        var config = R1Config.Load(overrides: ["r1.grpo.group-size=4", "r1.grpo.loss-aggregation=dr-grpo", "r1.model.moe-layers=[1, 3]"]);
        var grpo = config.Bind<GrpoSettings>("r1.grpo");
        Assert.Equal(4, grpo.GroupSize);
        Assert.Equal(LossAggregation.DrGrpo, grpo.LossAggregation);
        Assert.Equal([1, 3], config.Bind<ModelConfig>("r1.model").MoeLayers);
        Assert.Equal(SpeculativeDecoding.Off, config.Bind<SamplingOptions>("r1.sampling").Speculative);
        Assert.Equal(SpeculativeDecoding.Mtp, R1Config.Load(overrides: ["r1.sampling.speculative=mtp"]).Bind<SamplingOptions>("r1.sampling").Speculative);
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

    [Fact]
    public void The_self_evolution_preset_loads_and_points_at_a_shipped_model_and_a_five_level_task()
    {
        var config = R1Config.Load(Path.Combine(R1Config.HoconDirectory(), "self-evolution.conf"));
        var grpo = config.Bind<GrpoSettings>("r1.grpo");
        var task = Assert.IsAssignableFrom<GeneratedTask>(TaskCatalog.Get(grpo.Task));
        Assert.Equal((1, 5), (task.LowestLevel, task.HighestLevel));
        string init = config.GetString("r1.train.init");
        string folder = RepositoryPaths.Resolve(init) ?? throw new Xunit.Sdk.XunitException($"{init} is not shipped");
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")), folder);
        Assert.True(config.Bind<SamplingOptions>("r1.sampling").MaxNewTokens >= 160);
        // The folder is intact and was made as docs/base-model.md says: a sums corpus with rare checks and practice documents.
        var manifest = DeepSeekR1.Actors.Model.Checkpoints.CheckpointManifest.Verify(folder);
        Assert.Equal("sums", manifest.Metadata["task"]);
        Assert.Equal("0.05", manifest.Metadata["reflect_share"]);
        Assert.Equal("0.35", manifest.Metadata["practice_share"]);
        Assert.Equal("0.08", manifest.Metadata["careful_share"]);
    }

    [Theory]
    [InlineData("GroupSize", "group-size")]
    [InlineData("TopP", "top-p")]
    [InlineData("MaxNewTokens", "max-new-tokens")]
    public void Property_names_map_to_kebab_keys(string property, string key) => Assert.Equal(key, HoconBinder.Kebab(property));
}
