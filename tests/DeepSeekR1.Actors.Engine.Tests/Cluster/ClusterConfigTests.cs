using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Model.Sampling;
using Akka.Configuration;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Engine.Cluster;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Engine.Tests.Cluster;

/// <summary>
/// <c>hocon/cluster.conf</c> as the CLI and the engine read it: accepted key by key, roles and seeds as documented,
/// the journal's connection string from the environment before HOCON, and a frame size that fits the largest message.
/// In the cluster collection because it sets <see cref="ClusterSettings.JournalConnectionVariable"/> for a moment,
/// which child processes of the other cluster tests would inherit.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterConfigTests
{
    private static string ClusterConf => Path.Combine(R1Config.HoconDirectory(), "cluster.conf");

    [Fact]
    public void Cluster_conf_is_accepted_and_misspelt_keys_are_still_rejected()
    {
        var config = R1Config.Load(ClusterConf);
        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(["akka.tcp://r1@127.0.0.1:4053"], config.Root.GetStringList("akka.cluster.seed-nodes"));

        var misspelt = Assert.Throws<ConfigException>(() => R1Config.Load(ClusterConf, ["akka.cluster.split-brain-resolver.stable-aftr=3s"]));
        Assert.Contains("stable-after", misspelt.Message);
        Assert.Throws<ConfigException>(() => R1Config.Load(ClusterConf, ["r1.cluster.checkpoint-stor=/shared"]));
    }

    [Fact]
    public void A_node_without_roles_has_every_role_and_a_driver_without_roles_hosts_nothing()
    {
        var node = EngineConfig.ForDataDirectory(Path.GetTempPath(), ConfigurationFactory.ParseString("""
            akka.persistence.journal.sql.provider-name = "SQLite.MS"
            """));
        Assert.Equal(NodeRoles.All, ClusterSettings.From(node).Roles);
        Assert.Equal(NodeRoles.All, node.GetStringList("akka.cluster.roles"));
        Assert.True(ClusterSettings.From(node).IsSingleNode);

        var driver = NodeCommand.DriverLayer(R1Config.Load(ClusterConf))!;
        Assert.Equal([NodeRoles.Driver], driver.GetStringList("akka.cluster.roles"));
        Assert.Equal(0, driver.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Null(NodeCommand.DriverLayer(R1Config.Load()));   // no seeds: the single node, not a driver

        var worker = NodeCommand.NodeLayer(["rollout", "reward"], "10.0.0.2", 4054, ["akka.tcp://r1@10.0.0.1:4053"]);
        Assert.Equal(["rollout", "reward"], worker.GetStringList("akka.cluster.roles"));
        Assert.Equal(["akka.tcp://r1@10.0.0.1:4053"], worker.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(4054, worker.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Fact]
    public void The_journal_connection_comes_from_the_environment_before_hocon_and_its_absence_says_what_to_set()
    {
        var cluster = R1Config.Load(ClusterConf).Root;
        string? saved = Environment.GetEnvironmentVariable(ClusterSettings.JournalConnectionVariable);
        try
        {
            Environment.SetEnvironmentVariable(ClusterSettings.JournalConnectionVariable, null);
            var missing = Assert.Throws<ArgumentException>(() => EngineConfig.ForDataDirectory(Path.GetTempPath(), cluster));
            Assert.Contains(ClusterSettings.JournalConnectionVariable, missing.Message);

            var fromHocon = ConfigurationFactory.ParseString("r1.cluster.journal-connection = \"Host=db;Database=a\"").WithFallback(cluster);
            Assert.Equal("Host=db;Database=a", EngineConfig.ForDataDirectory(Path.GetTempPath(), fromHocon).GetString("akka.persistence.journal.sql.connection-string"));

            Environment.SetEnvironmentVariable(ClusterSettings.JournalConnectionVariable, "Host=env;Database=b");
            var both = EngineConfig.ForDataDirectory(Path.GetTempPath(), fromHocon);
            Assert.Equal("Host=env;Database=b", both.GetString("akka.persistence.journal.sql.connection-string"));
            Assert.Equal("Host=env;Database=b", both.GetString("akka.persistence.query.journal.sql.connection-string"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ClusterSettings.JournalConnectionVariable, saved);
        }
    }

    [Fact]
    public void The_largest_message_a_finished_group_of_16_x_4096_tokens_fits_the_frame_size()
    {
        const int groupSize = 16, tokens = 4096, vocabulary = 151_936;   // Qwen2.5's vocabulary: the widest token ids
        var random = new Random(5);
        var rollouts = Enumerable.Range(0, groupSize).Select(s => new RolloutData(s,
            Enumerable.Range(0, tokens).Select(_ => random.Next(vocabulary)).ToArray(),
            Enumerable.Range(0, tokens).Select(_ => -(float)random.NextDouble() * 12f).ToArray(),
            FinishReason.Length, new string('x', tokens * 4), 1.0, true, true, "42", 7)).ToArray();
        var question = new QuestionData("q", new string('q', 2000), "42", AnswerKind.Math, 3, "en", []);
        var group = new DeliverGroup("run/s000007-g0003", new GroupData(7, 3, question, Enumerable.Range(0, 512).ToArray(), rollouts,
            Enumerable.Repeat(0.123456789, groupSize).ToArray()));

        long bytes = ContractCodec.Encode(group).Length;
        long frame = R1Config.Load(ClusterConf).Root.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 0;
        Assert.True(bytes < frame / 2, $"a 16 x {tokens}-token group is {bytes} bytes; the frame size {frame} leaves less than 2x room");
        Assert.True(bytes > 1_000_000, $"the measurement is off: {bytes} bytes for {groupSize * tokens} tokens");
    }
}
