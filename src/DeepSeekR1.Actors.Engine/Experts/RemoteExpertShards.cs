using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>
/// The learner's side of expert shards on other nodes: every call of <see cref="IExpertShards"/> and of the MoE layers'
/// <see cref="IExpertShardLink"/> becomes a request to the shard's actor, and the learner's tensor thread waits for the
/// reply with a deadline (<c>r1.experts.call-timeout</c>). The thread may block: the shard is in another process (or on
/// another thread), never behind this one. A shard that does not answer, or answers that it lost the state a request
/// needed (it restarted), makes the call throw <see cref="ExpertShardUnavailableException"/> once the shard answers
/// again or <c>r1.experts.recover-timeout</c> has passed; the learner then redoes its pass. Applying an update is
/// retried here instead, since a shard applies each update at most once and keeps prepared gradients on disk.
/// </summary>
public sealed class RemoteExpertShards : IExpertShards, IExpertShardLink
{
    private readonly ActorSystem system;
    private readonly string runId;
    private readonly IExpertShardDirectory directory;
    private readonly ExpertSettings settings;
    private readonly Device device;
    private readonly ILoggingAdapter log;
    private readonly ActorSelection?[] found;
    private readonly long[] parameterBytes;
    private readonly string[] nodes;
    private readonly string[] dataEndpoints;
    private readonly TensorChannelClient?[] channels;
    private bool channelsSuspect;   // a shard was lost: its node may have restarted under the other shards' connections too

    private RemoteExpertShards(ActorSystem system, string runId, IExpertShardDirectory directory, ExpertSettings settings, ExpertPlacement placement, Device device)
    {
        this.system = system;
        this.runId = runId;
        this.directory = directory;
        this.settings = settings;
        this.device = device;
        log = Logging.GetLogger(system, typeof(RemoteExpertShards));
        Placement = placement;
        found = new ActorSelection?[placement.Shards];
        parameterBytes = new long[placement.Shards];
        nodes = new string[placement.Shards];
        dataEndpoints = new string[placement.Shards];
        channels = new TensorChannelClient?[placement.Shards];
        Executor = new ShardedExpertExecutor(this);
    }

    /// <summary>
    /// A connector for <see cref="Rl.Training.GrpoLearner"/>: finds every shard of <paramref name="runId"/> through
    /// <paramref name="directory"/>, sends it the policy's experts and a fresh optimizer (each shard builds its AdamW from
    /// the same r1.grpo settings as the learner), and moves the policy's MoE layers onto it.
    /// </summary>
    public static ExpertShardConnector Connector(ActorSystem system, string runId, IExpertShardDirectory directory, ExpertSettings settings) =>
        (policy, placement, _) => Connect(system, runId, directory, settings, policy, placement);

    /// <summary>See <see cref="Connector"/>.</summary>
    public static RemoteExpertShards Connect(ActorSystem system, string runId, IExpertShardDirectory directory, ExpertSettings settings, PolicyModel policy, ExpertPlacement placement)
    {
        var remote = new RemoteExpertShards(system, runId, directory, settings.Validate(), placement, policy.Device);
        remote.LoadFrom(policy.state_dict().ToDictionary(), "the learner's policy");
        foreach (var layer in policy.MoeLayers) layer.UseShards(remote.Executor);
        return remote;
    }

    /// <inheritdoc />
    public ExpertPlacement Placement { get; }

    /// <inheritdoc />
    public ShardedExpertExecutor Executor { get; }

    /// <inheritdoc />
    public IReadOnlyList<long> ParameterBytes => parameterBytes;

    /// <summary>The node each shard answered from last (its actor system's address).</summary>
    public IReadOnlyList<string> Nodes => nodes;

    /// <summary>Where each shard's node takes forward and backward calls (<c>host:port</c>; empty: through remoting).</summary>
    public IReadOnlyList<string> DataEndpoints => dataEndpoints;

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Forward(int shard, ExpertForward request)
    {
        var reply = DataCall<ExpertForwardDone>(shard, new ExpertForwardCall(runId, shard, request.Call, request.Layer, request.Experts,
            request.Tokens.Select(TensorPayloads.From).ToArray(), request.Record));
        return reply.Outputs.Select(o => TensorPayloads.ToTensor(o, device)).ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Backward(int shard, ExpertBackward request)
    {
        var reply = DataCall<ExpertBackwardDone>(shard, new ExpertBackwardCall(runId, shard, request.Call, request.GradOutputs.Select(TensorPayloads.From).ToArray()));
        return reply.GradInputs.Select(g => TensorPayloads.ToTensor(g, device)).ToArray();
    }

    /// <inheritdoc />
    public void BeginPass()
    {
        if (channelsSuspect)
        {
            // A node that restarted left this side's data plane connections to it dead, and may listen on another
            // port now: find every shard again (one hello each) and open new connections.
            for (int s = 0; s < channels.Length; s++)
            {
                CloseChannel(s);
                found[s] = null;
            }
            channelsSuspect = false;
        }
        for (int s = 0; s < Placement.Shards; s++) Call<ExpertShardStatus>(s, new BeginExpertPass(runId, s));
        Executor.ClearBackwardFailure();
    }

    /// <inheritdoc />
    public double PrepareUpdate(long update)
    {
        double sum = 0;
        for (int s = 0; s < Placement.Shards; s++) sum += Call<ExpertUpdatePrepared>(s, new PrepareExpertUpdate(runId, s, update)).SquaredNorm;
        return sum;
    }

    /// <inheritdoc />
    public void ApplyUpdate(long update, double learningRate, double gradScale)
    {
        for (int s = 0; s < Placement.Shards; s++)
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    Call<ExpertUpdateDone>(s, new ApplyExpertUpdate(runId, s, update, learningRate, gradScale));
                    break;
                }
                catch (ExpertShardUnavailableException e) when (attempt < settings.Retries)
                {
                    // The shard applies an update at most once and wrote its gradients at prepare: asking again is safe.
                    log.Warning("expert shard {0}: update {1} not confirmed ({2}); asking again", s, update, e.Message);
                }
            }
    }

    /// <inheritdoc />
    public void ResumeAt(long update)
    {
        for (int s = 0; s < Placement.Shards; s++) Call<ExpertShardStatus>(s, new ResumeExpertShard(runId, s, update));
    }

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, Tensor>> Weights()
    {
        var all = new List<KeyValuePair<string, Tensor>>();
        for (int s = 0; s < Placement.Shards; s++)
            foreach (var w in Call<ExpertWeights>(s, new ExportExpertWeights(runId, s)).Weights)
                all.Add(KeyValuePair.Create(w.Name, TensorPayloads.ToTensor(w.Tensor, device)));
        return all;
    }

    /// <inheritdoc />
    public void LoadFrom(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        for (int s = 0; s < Placement.Shards; s++)
        {
            var mine = tensors.Where(kv => Placement.ShardOfTensor(kv.Key) == s)
                .Select(kv => new NamedTensor(kv.Key, TensorPayloads.From(kv.Value))).ToArray();
            if (mine.Length == 0) throw new InvalidOperationException($"{source}: no expert tensors for expert shard {s}");
            var status = Call<ExpertShardStatus>(s, new LoadExpertWeights(runId, s, mine));
            parameterBytes[s] = status.ParameterBytes;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> SaveOptimizerStates(Func<int, string> pathOf)
    {
        var files = new List<string>();
        for (int s = 0; s < Placement.Shards; s++)
        {
            string path = pathOf(s);
            TensorPayloads.ToFile(Call<ExpertOptimizerState>(s, new ExportExpertOptimizer(runId, s)).State, path);
            files.Add(path);
        }
        return files;
    }

    /// <inheritdoc />
    public void LoadOptimizerStates(Func<int, string> pathOf)
    {
        for (int s = 0; s < Placement.Shards; s++)
        {
            string path = pathOf(s);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: the optimizer state of expert shard {s} is missing (was the checkpoint written with r1.experts.shards = {Placement.Shards}?)", path);
            Call<ExpertShardStatus>(s, new LoadExpertOptimizer(runId, s, TensorPayloads.OfFile(path)));
        }
    }

    // One request and its reply. A reply saying the shard failed for another reason than lost state is an error of the
    // step, not of the shard's availability: the caller sees it as it is.
    private T Call<T>(int shard, object request) where T : class
    {
        var target = Find(shard) ?? throw Lost(shard, "no node with the experts role answers for it");
        object reply;
        try
        {
            reply = target.Ask<object>(request, settings.CallTimeout).GetAwaiter().GetResult();
        }
        catch (AskTimeoutException)
        {
            found[shard] = null;
            throw Lost(shard, $"no answer to {request.GetType().Name} within {settings.CallTimeout.TotalSeconds:0.#}s (r1.experts.call-timeout)");
        }
        return Expect<T>(shard, request, reply);
    }

    // A forward or backward call: over the shard node's data plane when it has one, else through remoting.
    private T DataCall<T>(int shard, object request) where T : class
    {
        if (Find(shard) is null) throw Lost(shard, "no node with the experts role answers for it");
        if (dataEndpoints[shard] is not { Length: > 0 } endpoint) return Call<T>(shard, request);
        object reply;
        try
        {
            var channel = channels[shard] ??= new TensorChannelClient(endpoint, settings.CallTimeout);
            reply = channel.Call(request);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            CloseChannel(shard);
            found[shard] = null;
            throw Lost(shard, $"its data plane at {endpoint} failed: {e.Message}");
        }
        return Expect<T>(shard, request, reply);
    }

    private T Expect<T>(int shard, object request, object reply) where T : class => reply switch
    {
        T answer => answer,
        ExpertShardFailed { Lost: true } f => throw Lost(shard, f.Reason),
        ExpertShardFailed f => throw new InvalidOperationException($"expert shard {shard} refused {request.GetType().Name}: {f.Reason}"),
        _ => throw new InvalidOperationException($"expert shard {shard} answered {request.GetType().Name} with {reply.GetType().Name}"),
    };

    // Waits until the shard answers again (its replacement restored) or the recover timeout passes, then reports it
    // lost either way: whatever it held for the current pass is gone.
    private void CloseChannel(int shard)
    {
        channels[shard]?.Dispose();
        channels[shard] = null;
    }

    private ExpertShardUnavailableException Lost(int shard, string reason)
    {
        channelsSuspect = true;
        log.Warning("expert shard {0}: {1}; waiting up to {2}s for it to answer", shard, reason, settings.RecoverTimeout.TotalSeconds);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < settings.RecoverTimeout)
        {
            if (Find(shard) is not null) return new ExpertShardUnavailableException(shard, reason + $"; it answers again after {clock.Elapsed.TotalSeconds:0.#}s");
            Thread.Sleep(TimeSpan.FromMilliseconds(500));
        }
        return new ExpertShardUnavailableException(shard, reason + $"; it did not answer again within {settings.RecoverTimeout.TotalSeconds:0.#}s (r1.experts.recover-timeout)");
    }

    // The shard's actor, found by asking each candidate node; cached until a call to it times out.
    private ActorSelection? Find(int shard)
    {
        if (found[shard] is { } known) return known;
        var probe = TimeSpan.FromSeconds(Math.Min(5, settings.CallTimeout.TotalSeconds));
        if (ExpertShardLookup.Find(system, directory, runId, shard, probe).GetAwaiter().GetResult() is not var (actor, status)) return null;
        if (dataEndpoints[shard] is not null) CloseChannel(shard);   // found again: a new connection
        nodes[shard] = status.Node;
        dataEndpoints[shard] = status.DataEndpoint;
        parameterBytes[shard] = status.ParameterBytes;
        return found[shard] = actor;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The shards belong to their nodes; only the data plane connections are this side's.
        foreach (var channel in channels) channel?.Dispose();
    }
}
