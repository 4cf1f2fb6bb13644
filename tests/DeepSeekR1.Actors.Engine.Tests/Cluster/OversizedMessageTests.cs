using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Tests.Cluster;

/// <summary>
/// A wire message larger than the remoting frame is refused by name on the sending node, never dropped unseen: two real
/// ActorSystems on loopback with a small frame, one big and one small message between them.
/// </summary>
public class OversizedMessageTests
{
    private static Config Remote(long frameBytes) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, maximum-frame-size = {{frameBytes}}b }
        akka.actor.serializers.r1-contracts = "DeepSeekR1.Actors.Engine.Contracts.ContractSerializer, DeepSeekR1.Actors.Engine"
        akka.actor.serialization-bindings {
          "DeepSeekR1.Actors.Engine.Contracts.IPersisted, DeepSeekR1.Actors.Engine" = r1-contracts
          "DeepSeekR1.Actors.Engine.Contracts.IWireMessage, DeepSeekR1.Actors.Engine" = r1-contracts
        }
        akka.loglevel = INFO
        """);

    private sealed class Inbox : ReceiveActor
    {
        public Inbox(List<object> received) => ReceiveAny(m => { lock (received) received.Add(m); });
        public static Props With(List<object> received) => Props.Create(() => new Inbox(received));
    }

    private sealed class ErrorLog : ReceiveActor
    {
        public ErrorLog(List<string> errors) => Receive<Error>(e => { lock (errors) errors.Add($"{e.Message} {e.Cause?.Message}"); });
        public static Props With(List<string> errors) => Props.Create(() => new ErrorLog(errors));
    }

    [Fact]
    public async Task The_serializer_refuses_a_body_past_the_frame_and_names_the_message_the_limit_and_the_key()
    {
        using var system = ActorSystem.Create("oversized", Remote(64_000));
        var big = new FailRun("run", new string('x', 100_000));
        var serializer = system.Serialization.FindSerializerFor(big);
        var e = Assert.Throws<OversizedMessageException>(() => serializer.ToBinary(big));
        Assert.Contains("FailRun.v1", e.Message);
        Assert.Contains("64,000", e.Message);
        Assert.Contains("maximum-frame-size", e.Message);
        Assert.NotEmpty(serializer.ToBinary(new FailRun("run", "small")));
        // Journal rows have no frame: an event is never refused for size.
        Assert.NotEmpty(serializer.ToBinary(new RunFailed("run", 3, new string('x', 100_000))));
        await system.Terminate();
    }

    [Fact]
    public async Task Between_two_nodes_the_big_message_is_refused_loudly_on_the_sender_and_the_small_one_arrives()
    {
        using var sender = ActorSystem.Create("sender", Remote(64_000));
        using var receiver = ActorSystem.Create("receiver", Remote(64_000));
        var received = new List<object>();
        receiver.ActorOf(Inbox.With(received), "inbox");
        var errors = new List<string>();
        sender.EventStream.Subscribe(sender.ActorOf(ErrorLog.With(errors)), typeof(Error));
        var address = ((ExtendedActorSystem)receiver).Provider.DefaultAddress;
        var inbox = sender.ActorSelection(new RootActorPath(address) / "user" / "inbox");

        inbox.Tell(new FailRun("run", new string('x', 100_000)));
        inbox.Tell(new FailRun("run", "small"));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && (Count(received) == 0 || Count(errors) == 0)) await Task.Delay(100);
        lock (errors) Assert.True(Count(received) > 0, "errors: " + string.Join(" | ", errors));
        lock (received) Assert.Equal(["small"], received.OfType<FailRun>().Select(f => f.Reason));
        lock (errors) Assert.Contains(errors, e => e.Contains("FailRun.v1 is", StringComparison.Ordinal) && e.Contains("maximum-frame-size", StringComparison.Ordinal));
        await Task.WhenAll(sender.Terminate(), receiver.Terminate());
    }

    private static int Count<T>(List<T> list) { lock (list) return list.Count; }
}
