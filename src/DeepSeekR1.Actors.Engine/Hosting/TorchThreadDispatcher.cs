using Akka.Configuration;
using Akka.Dispatch;
using DeepSeekR1.Actors.Model;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// An Akka.NET dispatcher whose actors all run on the process's tensor thread (<see cref="TorchThread.Shared"/>):
/// the samplers and the learner of a node take turns on one thread, the same thread the command line uses for its own
/// model work. Selected in HOCON with
/// <c>type = "DeepSeekR1.Actors.Engine.Hosting.TorchThreadDispatcher, DeepSeekR1.Actors.Engine"</c>; reads
/// <c>throughput</c> (messages per mailbox turn), <c>shutdown-timeout</c> and <c>tensor-thread</c> (<c>shared</c>, the
/// default, or <c>sampling</c>: <see cref="TorchThread.Sampling"/>, the samplers' own thread when
/// <c>r1.engine.tensor-threads = 2</c>).
/// </summary>
/// <remarks>
/// An actor still processes one message at a time and keeps Akka's guarantees; what changes is that two model owners
/// on one node never compute at the same moment. For the on-policy loop that costs nothing (samplers wait for the
/// learner's new version, the learner waits for their groups) and it saves the OpenMP oversubscription that
/// <see cref="TorchThread"/> describes. A node whose sampler slots sit on different GPUs wants them to run in
/// parallel instead: give it <c>PinnedDispatcher</c> (docs/actor-engine.md, "Threads").
/// </remarks>
public sealed class TorchThreadDispatcher : MessageDispatcherConfigurator
{
    private readonly MessageDispatcher dispatcher;

    /// <summary>The <c>tensor-thread</c> value of the samplers' own thread.</summary>
    public const string SamplingThread = "sampling";

    /// <summary>Called by Akka.NET with the dispatcher's HOCON block.</summary>
    public TorchThreadDispatcher(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites)
    {
        string which = config.GetString("tensor-thread", "shared");
        var thread = which switch
        {
            "shared" => TorchThread.Shared,
            SamplingThread => TorchThread.Sampling,
            _ => throw new Configuration.ConfigException($"{config.GetString("id", EngineHost.ModelDispatcher)}.tensor-thread: '{which}' is not shared or sampling"),
        };
        dispatcher = new Dispatcher(
            this,
            config.GetString("id", EngineHost.ModelDispatcher),
            config.GetInt("throughput", 100),
            throughputDeadlineTime: null,
            new ExecutorFactory(thread),
            config.GetTimeSpan("shutdown-timeout", TimeSpan.FromSeconds(1)));
    }

    /// <summary>The one dispatcher instance every actor configured with this id shares.</summary>
    public override MessageDispatcher Dispatcher() => dispatcher;

    private sealed class ExecutorFactory(TorchThread thread) : ExecutorServiceFactory
    {
        public override ExecutorService Produce(string id) => new TorchThreadExecutor(id, thread);
    }

    // Mailbox runs queue behind whatever the tensor thread is doing. Shutting an ActorSystem down leaves the thread
    // alone: it belongs to the process, and other systems in it (tests, a driver beside a node) may still use it.
    private sealed class TorchThreadExecutor(string id, TorchThread thread) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => thread.Post(run.Run);

        public override void Shutdown()
        {
        }
    }
}
