using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The host's ear on a run: subscribes to the run's topic, then (and only then, so no report is missed) starts the
/// run, passes each step report to the observer, and completes when the run does.
/// </summary>
internal sealed class RunWatcher : ReceiveActor
{
    public RunWatcher(EngineContext context, TaskCompletionSource<RunCompleted> completion)
    {
        string runId = context.Run.RunId;
        context.PubSub.Tell(new Subscribe(EntityIds.RunTopic(runId), Self));
        Receive<SubscribeAck>(_ => context.Runs.Tell(EngineContext.To(runId, new StartRun(runId))));
        Receive<RunStepReported>(r => context.Observer.OnStep?.Invoke(r.Step, r.Metrics.ToStepMetrics()));
        Receive<RunCompleted>(c =>
        {
            completion.TrySetResult(c);
            Context.Stop(Self);
        });
        Receive<RunRejected>(r =>
        {
            completion.TrySetException(new InvalidOperationException($"run '{r.RunId}' cannot resume: {r.Reason}"));
            Context.Stop(Self);
        });
    }
}
