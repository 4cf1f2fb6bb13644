using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The host's ear on a run: subscribes to the run's topic, then (and only then, so no report is missed) starts the
/// run, passes each step report to the observer, and completes when the run does. It re-sends StartRun every drive
/// interval (which the run treats as "carry on"): entities are not remembered, so a run or prompt group whose node
/// died comes back on a surviving node only when a message reaches it, and a completion published before this
/// node's subscription had spread through the cluster is published again. After the run completes it stays
/// subscribed (without driving) until the node stops: a learner that cannot restore the run answers the host's final
/// progress query only with a fault on the topic, which the faults source then carries.
/// </summary>
internal sealed class RunWatcher : ReceiveActor, IWithTimers
{
    private sealed record Drive;

    public RunWatcher(string runId, TimeSpan driveInterval, EngineObserver observer, IActorRef pubSub, IActorRef runs, TaskCompletionSource<RunCompleted> completion,
        TaskCompletionSource<string> faults)
    {
        pubSub.Tell(new Subscribe(EntityIds.RunTopic(runId), Self));
        Receive<SubscribeAck>(_ =>
        {
            Self.Tell(new Drive());
            Timers.StartPeriodicTimer(nameof(Drive), new Drive(), driveInterval);
        });
        Receive<Drive>(_ => runs.Tell(EntityIds.To(runId, new StartRun(runId))));
        Receive<RunStepReported>(r => observer.OnStep?.Invoke(r.Step, r.Metrics.ToStepMetrics()));
        Receive<RunCompleted>(c =>
        {
            completion.TrySetResult(c);
            Timers.CancelAll();   // nothing left to drive; still listening for a fault
        });
        Receive<RunFaulted>(f =>
        {
            completion.TrySetException(new RunFaultedException(f.Reason));
            faults.TrySetResult(f.Reason);
            Context.Stop(Self);
        });
        Receive<RunRejected>(r =>
        {
            completion.TrySetException(new InvalidOperationException($"run '{r.RunId}' cannot resume: {r.Reason}"));
            Context.Stop(Self);
        });
    }

    /// <summary>Set by Akka (<see cref="IWithTimers"/>).</summary>
    public ITimerScheduler Timers { get; set; } = null!;
}
