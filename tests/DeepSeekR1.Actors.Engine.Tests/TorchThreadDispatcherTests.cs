using Akka.Actor;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>The model dispatcher of hocon/local.conf runs every model-owning actor on the process's tensor thread.</summary>
public sealed class TorchThreadDispatcherTests : TestKit
{
    public TorchThreadDispatcherTests() : base(Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(EngineConfig.Default), "torch-dispatcher") { }

    private sealed class ThreadReporter : ReceiveActor
    {
        public ThreadReporter() => ReceiveAny(_ => Sender.Tell(Environment.CurrentManagedThreadId));
    }

    [Fact]
    public void Actors_on_the_model_dispatcher_share_the_tensor_thread()
    {
        var props = Props.Create(() => new ThreadReporter()).WithDispatcher(EngineHost.ModelDispatcher);
        var sampler = Sys.ActorOf(props, "sampler");
        var learner = Sys.ActorOf(props, "learner");
        var threads = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            sampler.Tell("which thread?");
            threads.Add(ExpectMsg<int>());
            learner.Tell("which thread?");
            threads.Add(ExpectMsg<int>());
        }
        Assert.All(threads, t => Assert.Equal(TorchThread.Shared.ManagedThreadId, t));

        // An actor on the default dispatcher does not.
        var other = Sys.ActorOf(Props.Create(() => new ThreadReporter()), "other");
        other.Tell("which thread?");
        Assert.NotEqual(TorchThread.Shared.ManagedThreadId, ExpectMsg<int>());
    }

    [Fact]
    public async Task Stopping_an_actor_system_leaves_the_tensor_thread_running()
    {
        var system = ActorSystem.Create("short-lived", Sys.Settings.Config);
        var actor = system.ActorOf(Props.Create(() => new ThreadReporter()).WithDispatcher(EngineHost.ModelDispatcher));
        Assert.Equal(TorchThread.Shared.ManagedThreadId, await actor.Ask<int>("which thread?", TimeSpan.FromSeconds(10)));
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(7, TorchThread.Shared.Invoke(() => 7));
    }
}
