using Akka.Configuration;
using DeepSeekR1.Actors.Engine.Cluster;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>The engine's sections go through the same binder as the RL settings: every key read, none unknown, types checked.</summary>
public class EngineSettingsTests
{
    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(EngineConfig.Default);

    [Fact]
    public void The_shipped_defaults_bind()
    {
        var engine = EngineSettings.From(EngineConfig.Default);
        Assert.Equal(TimeSpan.FromMilliseconds(50), engine.BatchLinger);
        Assert.Equal(32, engine.ShardCount);
        Assert.Equal(9110, PbmSettings.From(EngineConfig.Default).Port);
        Assert.Equal(TimeSpan.FromSeconds(5), ClusterSettings.From(EngineConfig.Default).DriveInterval);
    }

    [Theory]
    [InlineData("r1.engine.batch-linger = soon", "r1.engine.batch-linger")]
    [InlineData("r1.engine.shard-count = 0", "r1.engine.shard-count must be positive")]
    [InlineData("r1.engine.shard-cont = 3", "'r1.engine.shard-cont' is not a setting of EngineSettings")]
    [InlineData("r1.pbm.port = 70000", "r1.pbm.port must be 0..65535")]
    public void A_bad_key_is_named(string hocon, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => { EngineSettings.From(With(hocon)); PbmSettings.From(With(hocon)); });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_cluster_key_of_the_wrong_type_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => ClusterSettings.From(With("r1.cluster.join-timeout = forever")));
        Assert.Contains("r1.cluster.join-timeout", e.Message);
    }
}
