using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using DeepSeekR1.Actors.Engine.Cluster;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Pbm;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Rl.RewardModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// One node of the actor engine, running one run: starts the ActorSystem on a generic host through Akka.Hosting (a single-node cluster joining itself by
/// default, else a member of the cluster its seed nodes form), its share of the sharded entities (runs, prompt groups,
/// samplers, verifiers) and of the singletons (learner, work queue) by its roles (<see cref="Placement"/>), and, on
/// the node that drives the run, runs it to completion. A run id already in the journal resumes where it stopped:
/// every entity recovers from its events and the learner from its last verified checkpoint.
/// </summary>
public sealed partial class EngineHost : IAsyncDisposable
{
    /// <summary>The dispatcher model-owning actors run on (<c>hocon/local.conf</c>).</summary>
    public const string ModelDispatcher = "r1-model-dispatcher";

    /// <summary>The samplers' dispatcher when <c>r1.engine.tensor-threads = 2</c> (<c>hocon/local.conf</c>).</summary>
    public const string SamplerDispatcher = "r1-sampler-dispatcher";

    private readonly IHost host;
    private readonly ActorSystem system;
    private readonly EngineRun run;
    private readonly ClusterSettings node;
    private readonly EngineObserver observer;
    private int? sharedThreadsBefore;   // the tensor thread's libtorch threads before a two-thread engine split the cores
    private IDisposable? telemetry;     // the OTLP exporter, when r1.telemetry.otlp-endpoint is set

    private EngineHost(IHost host, ActorSystem system, EngineRun run, ClusterSettings node, EngineObserver observer, PbmHost? pbm)
    {
        this.host = host;
        this.system = system;
        this.run = run;
        this.node = node;
        this.observer = observer;
        Pbm = pbm;
    }

    // The runs' region and the learner's proxy, as Placement registered them.
    private IActorRef Runs => ActorRegistry.For(system).Get<RunRegion>();
    private IActorRef Learner => ActorRegistry.For(system).Get<LearnerSingleton>();

    /// <summary>The node's ActorSystem.</summary>
    public ActorSystem System => system;

    /// <summary>The node's pbm command host (docs/pbm.md); null when <c>r1.pbm.enabled</c> is off or its port was taken.</summary>
    public PbmHost? Pbm { get; }

    /// <summary>
    /// Starts a node for <paramref name="run"/> whose journal is <c>DATA_DIR/journal.db</c>. <paramref name="overrides"/>
    /// (for example the CLI's merged configuration) layer over the embedded default.
    /// </summary>
    public static async Task<EngineHost> StartAsync(EngineRun run, string dataDirectory, Config? overrides = null, EngineObserver? observer = null, TimeSpan? joinTimeout = null)
    {
        if (!SafeRunId().IsMatch(run.RunId))
            throw new ArgumentException($"run id '{run.RunId}' must be letters, digits, '.', '_' or '-'", nameof(run));
        // Before anything starts: a prompt kind with nothing to score it (general prompts without reward models) is a
        // configuration error that names the key, never a run whose general prompts score 0.
        run = run with { ModelRewards = ModelRewardSettings.RequireFor(run.Task, run.ModelRewards, tokenizer: run.Tokenizer) };
        Directory.CreateDirectory(run.RunDirectory);
        var config = EngineConfig.ForDataDirectory(dataDirectory, overrides);
        EngineConfig.RequireFreeRemotingPort(config);
        if (EngineConfig.UsesSqlite(config)) EngineConfig.PrepareJournalFile(dataDirectory);
        var settings = EngineSettings.From(config);
        var node = ClusterSettings.From(config);
        observer ??= new EngineObserver();

        PbmHost? pbm = null;
        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                // The command owns the process's signals (r1 train's supervisor, its "stopped by SIGINT" exit): the
                // host must not install the console lifetime's Ctrl+C and SIGTERM handlers.
                services.AddSingleton<IHostLifetime, CommandOwnedLifetime>();
                // The node, in one chain: HOCON first (remoting, cluster and split-brain resolver, the journal and
                // snapshot store, the contract serializer, the tensor thread's dispatcher: hocon/local.conf, with
                // cluster.conf and the data directory's journal layered on), then this node's share of the regions
                // and singletons with every ref registered in the ActorRegistry (Placement), then its pbm host.
                services.AddAkka("r1", akka => akka
                    .AddHocon(config, HoconAddMode.Replace)
                    .WithActors((system, registry) => Placement.Start(system, run, settings, node, observer))
                    .AddStartup((system, _) => pbm = StartPbm(system, run, config, dataDirectory)));
            })
            .Build();
        // Created here, before the host starts it: a bad setting or a taken port then fails as itself, with its own
        // message, rather than inside the hosted service (which prints the whole exception before rethrowing it).
        ActorSystem system;
        try
        {
            system = host.Services.GetRequiredService<ActorSystem>();
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();   // terminates the ActorSystem, if it was created
            throw;
        }
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            // With seed nodes configured Akka joins them by itself; a single node joins itself (its port is only known
            // after binding). Regions and singletons started above wait for membership before they hand out shards.
            if (node.IsSingleNode) cluster.Join(cluster.SelfAddress);
            await up.Task.WaitAsync(joinTimeout ?? node.JoinTimeout);
            return new EngineHost(host, system, run, node, observer, pbm) { sharedThreadsBefore = SplitCores(settings), telemetry = TelemetryExport.Start(config) };
        }
        catch
        {
            if (pbm is not null) await pbm.DisposeAsync();
            await host.StopAsync();
            host.Dispose();
            throw;
        }
    }

    // A taken port costs the node its command host, not its run: the warning names the setting to change.
    private static PbmHost? StartPbm(ActorSystem system, EngineRun run, Config config, string dataDirectory)
    {
        var settings = PbmSettings.From(config);
        if (!settings.Enabled) return null;
        try { return PbmHost.Start(system, run, settings, dataDirectory); }
        catch (System.Net.Sockets.SocketException e)
        {
            system.Log.Warning("pbm: cannot listen on {0}:{1} ({2}); this node runs without a command host (set r1.pbm.port, 0 for any free port)",
                settings.Host, settings.Port, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Runs (or resumes) the run until every step is applied or it is stopped; step reports go to the observer as they
    /// come. A paused run keeps this waiting until it is resumed or stopped (<see cref="Tell"/>). Throws
    /// <see cref="InvalidOperationException"/> when the journal's run was started with another seed, task or shape, and
    /// <see cref="RunInterruptedException"/>
    /// when the node leaves the cluster before the run completes.
    /// </summary>
    public async Task<EngineOutcome> RunAsync(CancellationToken cancellation = default)
    {
        var completion = new TaskCompletionSource<RunCompleted>(TaskCreationOptions.RunContinuationsAsynchronously);
        var faults = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new RunWatcher(run.RunId, node.DriveInterval, observer, DistributedPubSub.Get(system).Mediator, Runs, completion, faults)));
        // A node that leaves the cluster (`r1 pbm ... cluster leave`) terminates its ActorSystem: the run cannot go on here.
        _ = system.WhenTerminated.ContinueWith(_ => completion.TrySetException(new RunInterruptedException(
            $"this node left the cluster before run '{run.RunId}' completed; the same command resumes it")), TaskScheduler.Default);
        var completed = await completion.Task.WaitAsync(cancellation);
        var progress = await FinalProgress(faults.Task, cancellation);
        return new EngineOutcome(completed.RunId, completed.Steps, completed.Checkpoint, completed.State,
            progress.Applied.Select(a => a.Metrics.ToStepMetrics()).ToArray(), completed.Reason);
    }

    // The learner's record of every applied step, asked for once the run has completed. Right after a learner node died
    // the singleton proxy can still hold the dead incarnation's ref until that member is removed from the cluster, and
    // an ask sent to it is lost: ask again (a query is read-only), for up to about two minutes in all. A learner that
    // cannot restore the run (its latest checkpoint deleted or damaged) answers with a fault on the run's topic instead:
    // that ends the wait at once, as the same fault does while the run is going.
    private async Task<LearnerProgress> FinalProgress(Task<string> fault, CancellationToken cancellation)
    {
        const int attempts = 5;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var ask = Learner.Ask<LearnerProgress>(new QueryLearner(run.RunId, -1), TimeSpan.FromSeconds(25), cancellation);
                if (await Task.WhenAny(ask, fault) == fault)
                {
                    _ = ask.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);   // its timeout, unobserved otherwise
                    throw new RunFaultedException(await fault);
                }
                return await ask;
            }
            catch (AskTimeoutException) when (attempt < attempts)
            {
                system.Log.Warning("run {0}: the learner did not answer the final progress query (attempt {1} of {2}); asking again", run.RunId, attempt, attempts);
            }
            catch (AskTimeoutException e)
            {
                throw new TimeoutException($"run '{run.RunId}' completed, but its learner did not answer the final progress query {attempts} times " +
                    "in about two minutes (is the learner's node reachable?)", e);
            }
        }
    }

    /// <summary>Sends a lifecycle command (<see cref="PauseRun"/>, <see cref="ResumeRun"/>, <see cref="StopRun"/>, <see cref="GetRunStatus"/>) to the run and returns its status.</summary>
    public Task<RunStatus> Tell(IWireMessage command, TimeSpan? timeout = null) =>
        Runs.Ask<RunStatus>(EntityIds.To(run.RunId, command), timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>Leaves the cluster and stops the ActorSystem.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Pbm is not null) await Pbm.DisposeAsync();
        // The host's stop runs the ActorSystem's coordinated shutdown: leave the cluster, then terminate.
        await host.StopAsync();
        await system.WhenTerminated;
        host.Dispose();
        telemetry?.Dispose();   // sends the last measurements
        // The command's own model work after the run (the held-out evaluation) gets every core back.
        if (sharedThreadsBefore is int before) TorchThread.Shared.SetIntraOpThreads(before);
    }

    // Two tensor threads share the cores between them: the learner's (the shared one) and the samplers'. Returns the
    // shared thread's count before, to put back; null with one tensor thread, which keeps every core.
    private static int? SplitCores(EngineSettings settings)
    {
        if (settings.TensorThreads == 1) return null;
        int each = Math.Max(1, Environment.ProcessorCount / settings.TensorThreads);
        TorchThread.Sampling.SetIntraOpThreads(each);
        return TorchThread.Shared.SetIntraOpThreads(each);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeRunId();
}
