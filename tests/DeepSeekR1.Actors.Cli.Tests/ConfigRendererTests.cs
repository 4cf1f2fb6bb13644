using DeepSeekR1.Actors.Cli.Configuration;

namespace DeepSeekR1.Actors.Cli.Tests;

public class ConfigRendererTests
{
    [Fact]
    public void The_rendered_configuration_loads_back_as_a_config_file_to_the_same_values()
    {
        var config = R1Config.Load(overrides: ["r1.grpo.group-size=4", "r1.grpo.task=math:/data/my set.jsonl", "r1.sampling.stop-token-ids=[3, 5]"]);
        string text = ConfigRenderer.Render(config);
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain("<<unknown value>>", text);
        Assert.Contains("r1.grpo.group-size = 4\n", text);
        Assert.Contains("r1.grpo.task = \"math:/data/my set.jsonl\"\n", text);
        // A key segment with dots in it (a type name) is quoted, not split.
        Assert.Contains("akka.actor.serialization-bindings.\"DeepSeekR1.Actors.Engine.Contracts.IPersisted, DeepSeekR1.Actors.Engine\" = \"r1-contracts\"", text);

        string file = Path.Combine(Directory.CreateTempSubdirectory("r1-config-").FullName, "run.conf");
        File.WriteAllText(file, text);
        var again = R1Config.Load(file);
        Assert.Equal(text, ConfigRenderer.Render(again));
        Assert.Equal(4, again.GetInt("r1.grpo.group-size"));
        Assert.Equal([3, 5], again.Root.GetIntList("r1.sampling.stop-token-ids"));
    }

    [Fact]
    public void A_prefix_keeps_only_its_section()
    {
        var lines = ConfigRenderer.Render(R1Config.Load(), "r1.grpo").TrimEnd('\n').Split('\n');
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.StartsWith("r1.grpo.", l));
    }
}
