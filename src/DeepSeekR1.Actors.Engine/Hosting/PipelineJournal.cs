using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The pipeline entities of a data dir (one per pipeline, started on first use), in an ActorSystem of their own (a plain local one: the stages' runs
/// start their own engines in child processes) whose journal is <c>DATA_DIR/pipelines/journal.db</c>, a file apart
/// from the runs' journal so that the pipeline and the run it is waiting for never contend for one SQLite writer.
/// Every call is one question to the entity; a refusal comes back as <see cref="PipelineRefusedException"/>.
/// </summary>
public sealed class PipelineJournal : IAsyncDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);

    private readonly IHost host;
    private readonly ActorSystem system;
    private readonly Dictionary<string, IActorRef> entities = [];

    private PipelineJournal(IHost host, ActorSystem system)
    {
        this.host = host;
        this.system = system;
    }

    /// <summary>The folder that holds a data dir's pipelines (and their journal).</summary>
    public static string Folder(string dataDirectory) => Path.Combine(dataDirectory, "pipelines");

    /// <summary>Starts the ActorSystem on the journal in <paramref name="dataDirectory"/>'s <see cref="Folder"/>.</summary>
    public static async Task<PipelineJournal> OpenAsync(string dataDirectory)
    {
        string folder = Folder(dataDirectory);
        // The embedded default's SQLite journal and contract serializer, with local actors only (no remoting, no
        // cluster). A cluster's configuration is not layered on: its runs journal to a server, the pipeline here.
        var config = EngineConfig.ForDataDirectory(folder, ConfigurationFactory.ParseString("akka.actor.provider = local"));
        EngineConfig.PrepareJournalFile(folder);
        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<IHostLifetime, CommandOwnedLifetime>();
                services.AddAkka("r1-pipeline", akka => akka.AddHocon(config, HoconAddMode.Replace));
            })
            .Build();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            await host.StartAsync();
            return new PipelineJournal(host, system);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Creates the pipeline or opens it again (same stages and configuration) and says where it stands.</summary>
    public Task<PipelineStatus> Open(string pipelineId, IReadOnlyList<string> stages, string fingerprint, string configText) =>
        Ask(pipelineId, new OpenPipeline(pipelineId, stages, fingerprint, configText));

    /// <summary>Where the pipeline stands.</summary>
    public Task<PipelineStatus> Status(string pipelineId) => Ask(pipelineId, new GetPipelineStatus(pipelineId));

    /// <summary>Journals the start of the next stage (a new attempt when it was started before).</summary>
    public Task<PipelineStatus> Begin(string pipelineId, string stage) => Ask(pipelineId, new BeginPipelineStage(pipelineId, stage));

    /// <summary>Journals the end of the stage in progress.</summary>
    public Task<PipelineStatus> Complete(PipelineStageCompleted completed) => Ask(completed.PipelineId, new CompletePipelineStage(completed));

    /// <summary>Journals the failure of the stage in progress.</summary>
    public Task<PipelineStatus> Fail(string pipelineId, string stage, string reason) => Ask(pipelineId, new FailPipelineStage(pipelineId, stage, reason));

    /// <summary>Pauses the pipeline (the stage in progress finishes; no new one starts).</summary>
    public Task<PipelineStatus> Pause(string pipelineId) => Ask(pipelineId, new PausePipeline(pipelineId));

    /// <summary>Resumes a paused pipeline.</summary>
    public Task<PipelineStatus> Resume(string pipelineId) => Ask(pipelineId, new ResumePipeline(pipelineId));

    /// <summary>The ids of the pipelines with a folder in <paramref name="dataDirectory"/>, newest first.</summary>
    public static IReadOnlyList<string> Ids(string dataDirectory) =>
        Directory.Exists(Folder(dataDirectory))
            ? new DirectoryInfo(Folder(dataDirectory)).GetDirectories().OrderByDescending(d => d.CreationTimeUtc).Select(d => d.Name).ToArray()
            : [];

    /// <summary>The ActorSystem the entities live in (the pipeline's pbm host runs on it).</summary>
    public ActorSystem System => system;

    /// <summary>Journals that every stage is done.</summary>
    public Task<PipelineStatus> Finish(string pipelineId) => Ask(pipelineId, new FinishPipeline(pipelineId));

    // The entity of one pipeline: started (and recovered from the journal) the first time it is asked anything.
    private IActorRef Entity(string pipelineId)
    {
        lock (entities)
        {
            if (!entities.TryGetValue(pipelineId, out var entity))
                entities[pipelineId] = entity = system.ActorOf(Props.Create(() => new PipelineEntity(pipelineId)), Uri.EscapeDataString(pipelineId));
            return entity;
        }
    }

    private async Task<PipelineStatus> Ask(string pipelineId, object message) => await Entity(pipelineId).Ask<object>(message, AskTimeout) switch
    {
        PipelineStatus status => status,
        PipelineRefused refused => throw new PipelineRefusedException(refused.Reason),
        var other => throw new InvalidOperationException($"the pipeline entity answered {other.GetType().Name}"),
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}

/// <summary>The pipeline entity refused a request (a stage out of order, a pipeline opened under another configuration).</summary>
/// <param name="message">The entity's reason.</param>
public sealed class PipelineRefusedException(string message) : InvalidOperationException(message);
