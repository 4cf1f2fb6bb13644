using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Engine.Cluster;
using YamlDotNet.RepresentationModel;

namespace DeepSeekR1.Actors.Cli.Tests.Deployment;

/// <summary>
/// The Kubernetes files in cluster/kubernetes, parsed and checked against the image they run and the configuration
/// the r1 binary accepts: every container's arguments and run.conf load through <see cref="R1Config"/> (an unknown key
/// or a bad value fails here, not in a pod), the device matches the image's backend, the start model is in the image,
/// ports, seed names, roles and mounts agree. Before, the files asked a CPU image for CUDA and for a model it lacked.
/// </summary>
public class DeploymentFilesTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot(), "cluster", "kubernetes");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeepSeekR1.Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static IReadOnlyList<YamlMappingNode> Documents()
    {
        var documents = new List<YamlMappingNode>();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            documents.AddRange(stream.Documents.Select(d => (YamlMappingNode)d.RootNode));
        }
        return documents;
    }

    private static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }
        return node;
    }

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)(At(node, path) ?? throw new KeyNotFoundException(string.Join('.', path)))).Value!;

    private static string Name(YamlMappingNode doc) => Text(doc, "metadata", "name");

    private static YamlMappingNode Find(string kind, string name) =>
        Documents().Single(d => Text(d, "kind") == kind && Name(d) == name);

    private static IReadOnlyDictionary<string, string> ConfigMapData() =>
        ((YamlMappingNode)At(Find("ConfigMap", "r1-cluster"), "data")!).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);

    // Every workload's first container: (workload, its pod spec, the container).
    private static IEnumerable<(YamlMappingNode Workload, YamlMappingNode Pod, YamlMappingNode Container)> Containers() =>
        Documents().Where(d => Text(d, "kind") is "StatefulSet" or "Deployment" or "Job").Select(d =>
        {
            var pod = (YamlMappingNode)At(d, "spec", "template", "spec")!;
            return (d, pod, (YamlMappingNode)((YamlSequenceNode)At(pod, "containers")!).Children[0]);
        });

    private static string[] Args(YamlMappingNode container, IReadOnlyDictionary<string, string> variables) =>
        ((YamlSequenceNode)At(container, "args")!).Children.Select(a => Regex.Replace(((YamlScalarNode)a).Value!, @"\$\((\w+)\)",
            m => variables.TryGetValue(m.Groups[1].Value, out var v) ? v : throw new KeyNotFoundException($"$({m.Groups[1].Value}) is not defined"))).ToArray();

    private static string? Option(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;

    private static IEnumerable<string> Sets(string[] args) => args.Select((a, i) => (a, i)).Where(x => x.a == "--set").Select(x => args[x.i + 1]);

    private static Dictionary<string, string> Variables(YamlMappingNode workload) => new(ConfigMapData())
    {
        ["POD_IP"] = "10.0.0.7",
        ["POD_NAME"] = Name(workload) + "-0",
    };

    [Fact]
    public void Every_container_configuration_loads_with_the_image_backend_and_the_start_model_in_the_image()
    {
        string dockerfile = File.ReadAllText(Path.Combine(Folder, "Dockerfile"));
        string backend = Regex.Match(dockerfile, @"^ARG TORCH_BACKEND=(\w+)", RegexOptions.Multiline).Groups[1].Value;
        Assert.Contains("-p:TorchBackend=${TORCH_BACKEND}", dockerfile);
        string runConf = Path.Combine(Directory.CreateTempSubdirectory("r1-k8s-").FullName, "run.conf");
        File.WriteAllText(runConf, ConfigMapData()["run.conf"]);

        var workloads = Containers().ToArray();
        Assert.Equal(3, workloads.Length);
        foreach (var (workload, pod, container) in workloads)
        {
            string where = $"{Text(workload, "kind")} {Name(workload)}";
            var args = Args(container, Variables(workload));
            Assert.True(args[0] is "train" or "node", $"{where}: runs '{args[0]}'");
            Assert.Equal("/config/run.conf", Option(args, "--config"));
            var config = R1Config.Load(runConf, Sets(args));   // throws on an unknown key or a malformed value

            string device = config.GetString("r1.device");
            Assert.True(backend == "cuda" ? device.StartsWith("cuda", StringComparison.Ordinal) : device == "cpu",
                $"{where}: r1.device '{device}' on an image built for the {backend} backend");
            string init = config.GetString("r1.train.init");
            if (init != "random")
            {
                Assert.True(Directory.Exists(Path.Combine(RepositoryRoot(), init)), $"{where}: r1.train.init '{init}' is not in the repository");
                string top = init.Split('/')[0];
                Assert.Contains($"COPY --from=build /src/{top} /app/{top}", dockerfile);
            }
            Assert.Equal(TrainCommand.CheckRunId(Option(args, "--run-id")!), ConfigMapData()["R1_RUN_ID"]);
            if (Option(args, "--roles") is { } roles)
                Assert.All(roles.Split(','), r => Assert.Contains(r, NodeRoles.All));

            // The mounts the arguments name exist: the run.conf ConfigMap at /config, the shared store where checkpoints go.
            var mounts = ((YamlSequenceNode)At(container, "volumeMounts")!).Children.ToDictionary(m => Text(m, "mountPath"), m => Text(m, "name"));
            var volumes = ((YamlSequenceNode)At(pod, "volumes")!).Children.ToDictionary(v => Text(v, "name"), v => v);
            Assert.Equal("r1-cluster", Text(volumes[mounts["/config"]], "configMap", "name"));
            Assert.Equal(config.GetString("r1.cluster.checkpoint-store"), mounts.Keys.Single(k => volumes[mounts[k]] is var v && At(v, "persistentVolumeClaim") is not null));
        }
    }

    [Fact]
    public void The_seed_nodes_are_the_learner_pods_on_their_remoting_port()
    {
        var learners = Find("StatefulSet", "r1-learner");
        var service = Find("Service", Text(learners, "spec", "serviceName"));
        int replicas = int.Parse(Text(learners, "spec", "replicas"));
        var container = Containers().Single(c => Name(c.Workload) == "r1-learner").Container;
        var args = Args(container, Variables(learners));
        int port = int.Parse(Option(args, "--port")!);
        Assert.Equal(port, int.Parse(Text(((YamlSequenceNode)At(container, "ports")!).Children[0], "containerPort")));
        Assert.Equal(port, int.Parse(Text(((YamlSequenceNode)At(service, "spec", "ports")!).Children[0], "port")));

        var seeds = ConfigMapData()["R1_SEED_NODES"].Split(',');
        Assert.NotEmpty(seeds);
        foreach (var seed in seeds)
        {
            var m = Regex.Match(seed, @"^akka\.tcp://r1@(?<pod>[\w-]+)-(?<n>\d+)\.(?<service>[\w-]+):(?<port>\d+)$");
            Assert.True(m.Success, $"seed '{seed}' is not akka.tcp://r1@POD-N.SERVICE:PORT");
            Assert.Equal(Name(learners), m.Groups["pod"].Value);
            Assert.Equal(Name(service), m.Groups["service"].Value);
            Assert.True(int.Parse(m.Groups["n"].Value) < replicas, $"seed '{seed}' names a pod the StatefulSet does not have");
            Assert.Equal(port, int.Parse(m.Groups["port"].Value));
        }
        // Each learner pod advertises the name the seeds use.
        Assert.Contains($"akka.remote.dot-netty.tcp.public-hostname={Name(learners)}-0.{Name(service)}", Sets(args));
    }
}
