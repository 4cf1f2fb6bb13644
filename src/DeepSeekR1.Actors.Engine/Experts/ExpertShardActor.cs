using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Rl.Optim;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>
/// One expert shard on a node with the <c>experts</c> role: the <see cref="ExpertShard"/> that holds its experts'
/// weights, gradients and AdamW state, driven by the learner's requests (<see cref="Contracts"/>' expert messages), one
/// reply per request. After every update it applies, and every state the learner loads, it writes a snapshot and
/// journals <see cref="ExpertShardSaved"/>; a replacement (after its node died) recovers the last one and carries on,
/// so an update is applied at most once however often the learner repeats the request. Prepared gradients are written
/// to disk before the learner is told their norm, so an update the learner decided to apply can still be applied by a
/// replacement. Tensor work runs inside one message, in a dispose scope, on the actor's own thread.
/// </summary>
internal sealed class ExpertShardActor : ReceivePersistentActor
{
    /// <summary>What a shard is: its run and index, the policy's shape, the placement, its optimizer's settings, its folder.</summary>
    public sealed record Setup(string RunId, int Shard, ModelConfig Config, ExpertPlacement Placement, AdamWSettings AdamW, string Folder, Device Device)
    {
        /// <summary>The fault probe's update (<see cref="ExpertSettings.CrashAtUpdate"/>; 0 for none).</summary>
        public long CrashAtUpdate { get; init; }

        /// <summary>Where in that update the probe strikes.</summary>
        public ExpertCrashPoint CrashOn { get; init; }

        /// <summary>Where the node's data plane listens (<c>host:port</c>), or empty for none.</summary>
        public string DataEndpoint { get; init; } = "";
    }

    private readonly Setup setup;
    private readonly ExpertShardFiles files;
    private ExpertShardState journaled = ExpertShardState.New;
    private ExpertShard? shard;
    private long? preparedInMemory;   // the update whose gradients the parameters hold now
    private string? fault;            // why this shard cannot serve (a snapshot it cannot read); every request is told

    public ExpertShardActor(Setup setup)
    {
        this.setup = setup;
        files = new ExpertShardFiles(setup.Folder);
        Recover<ExpertShardSaved>(e => journaled = journaled.Apply(e));
        Recover<RecoveryCompleted>(_ => RestoreSnapshot());

        Command<ExpertShardHello>(m => Answer(m.RunId, m.Shard, () => Status()));
        Command<BeginExpertPass>(m => Answer(m.RunId, m.Shard, () =>
        {
            var s = Loaded();
            s.ForgetRecorded();
            s.ZeroGrad();
            preparedInMemory = null;
            return Status();
        }));
        Command<ExpertForwardCall>(m => Answer(m.RunId, m.Shard, () => Forward(m)));
        Command<ExpertBackwardCall>(m => Answer(m.RunId, m.Shard, () => Backward(m)));
        Command<PrepareExpertUpdate>(m => Answer(m.RunId, m.Shard, () => Prepare(m)));
        Command<ApplyExpertUpdate>(OnApply);
        Command<LoadExpertWeights>(m => Save(m.RunId, m.Shard, loaded: true, () => LoadWeights(m)));
        Command<LoadExpertOptimizer>(m => Save(m.RunId, m.Shard, loaded: true, () => LoadOptimizer(m)));
        Command<ResumeExpertShard>(m => Save(m.RunId, m.Shard, loaded: true, () => Loaded().ResumeAt(m.Update)));
        Command<ExportExpertWeights>(m => Answer(m.RunId, m.Shard, () => new ExpertWeights(setup.RunId, setup.Shard, Loaded().LastUpdate,
            Loaded().NamedParameters().Select(p => new NamedTensor(p.Name, TensorPayloads.From(p.Parameter))).ToArray())));
        Command<ExportExpertOptimizer>(m => Answer(m.RunId, m.Shard, () => ExportOptimizer()));
    }

    /// <summary>Props for <paramref name="setup"/>, on <paramref name="dispatcher"/>.</summary>
    public static Props Props(Setup setup, string dispatcher) => Akka.Actor.Props.Create(() => new ExpertShardActor(setup)).WithDispatcher(dispatcher);

    /// <summary>The actor's name under /user on its node: the learner addresses shard s there.</summary>
    public static string Name(int shard) => $"expert-shard-{shard}";

    /// <summary>The journal's persistence id of run <paramref name="runId"/>'s shard <paramref name="shard"/>.</summary>
    public static string PersistenceIdOf(string runId, int shard) => $"expert-shard-{runId}-{shard}";

    public override string PersistenceId => PersistenceIdOf(setup.RunId, setup.Shard);

    private ExpertShardStatus Status() => new(setup.RunId, setup.Shard, shard?.LastUpdate ?? journaled.LastUpdate, shard is not null,
        shard?.ParameterBytes ?? 0, ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString(), setup.DataEndpoint);

    private ExpertShard Loaded() => shard ?? throw new ShardLostState("it holds no weights yet (started fresh, or its snapshot was never written)");

    // Thrown where the request needs state this incarnation does not have: the learner may redo its pass.
    private sealed class ShardLostState(string message) : Exception(message);

    private ExpertShard Create()
    {
        var created = new ExpertShard(setup.Config, setup.Placement, setup.Shard, setup.Device);
        created.AttachOptimizer(ps => OptimizerFactory.CreateAdamW(ps, setup.AdamW));
        return created;
    }

    private void RestoreSnapshot()
    {
        if (journaled.Last is not { } last) return;
        try
        {
            shard = Create();
            files.Load(last, shard);
            Context.GetLogger().Info("expert shard {0}: restored after update {1} from {2}", setup.Shard, last.Update, last.Weights);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            shard?.Dispose();
            shard = null;
            fault = $"expert shard {setup.Shard} cannot restore run {setup.RunId}: {e.Message}";
            Context.GetLogger().Error(fault);
        }
    }

    // Runs a request and replies with its answer, or with ExpertShardFailed saying why.
    private void Answer(string runId, int index, Func<object> handle)
    {
        if (Refusal(runId, index) is { } refused) { Sender.Tell(refused); return; }
        try
        {
            object reply;
            using (NewDisposeScope()) reply = handle();
            Sender.Tell(reply);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Sender.Tell(new ExpertShardFailed(setup.RunId, setup.Shard, e.Message, Lost: e is ShardLostState));
        }
    }

    private ExpertShardFailed? Refusal(string runId, int index)
    {
        if (fault is not null) return new ExpertShardFailed(setup.RunId, setup.Shard, fault, Lost: false);
        if (runId != setup.RunId || index != setup.Shard)
            return new ExpertShardFailed(setup.RunId, setup.Shard, $"this is shard {setup.Shard} of run {setup.RunId}, not shard {index} of run {runId}", Lost: false);
        return null;
    }

    private ExpertForwardDone Forward(ExpertForwardCall m)
    {
        var s = Loaded();
        var tokens = m.Tokens.Select(t => TensorPayloads.ToTensor(t, setup.Device)).ToArray();
        var outputs = s.Forward(new ExpertForward(m.Call, m.Layer, m.Experts, tokens, m.Record));
        return new ExpertForwardDone(setup.RunId, setup.Shard, m.Call, outputs.Select(TensorPayloads.From).ToArray());
    }

    private ExpertBackwardDone Backward(ExpertBackwardCall m)
    {
        var s = Loaded();
        if (!s.HasRecorded(m.Call)) throw new ShardLostState($"no recorded forward for call {m.Call} (the shard restarted since, or the pass was begun again)");
        var grads = m.GradOutputs.Select(t => TensorPayloads.ToTensor(t, setup.Device)).ToArray();
        var inputs = s.Backward(new ExpertBackward(m.Call, grads));
        return new ExpertBackwardDone(setup.RunId, setup.Shard, m.Call, inputs.Select(TensorPayloads.From).ToArray());
    }

    private ExpertUpdatePrepared Prepare(PrepareExpertUpdate m)
    {
        var s = Loaded();
        if (m.Update <= s.LastUpdate) throw new InvalidOperationException($"update {m.Update} was applied already (last {s.LastUpdate})");
        Probe(ExpertCrashPoint.Prepare, m.Update);
        files.SaveGradients(s, m.Update);
        preparedInMemory = m.Update;
        return new ExpertUpdatePrepared(setup.RunId, setup.Shard, m.Update, s.SquaredGradNorm());
    }

    // The fault probe (r1.experts.crash-at-update): a SIGKILL of this process at one point of one update.
    private void Probe(ExpertCrashPoint point, long update)
    {
        if (setup.CrashAtUpdate != update || setup.CrashOn != point) return;
        // Written directly: Akka's logging is asynchronous and would not get the line out before the kill.
        Console.Error.WriteLine($"r1 expert shard {setup.Shard}: fault probe r1.experts.crash-at-update = {update} at {point.ToString().ToLowerInvariant()}: killing this process");
        Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();   // SIGKILL: nothing is flushed or closed
    }

    private void OnApply(ApplyExpertUpdate m)
    {
        if (Refusal(m.RunId, m.Shard) is { } refused) { Sender.Tell(refused); return; }
        var sender = Sender;
        try
        {
            var s = Loaded();
            if (m.Update <= s.LastUpdate) { sender.Tell(new ExpertUpdateDone(setup.RunId, setup.Shard, m.Update, AppliedNow: false)); return; }
            Probe(ExpertCrashPoint.Apply, m.Update);
            // The gradients are those the parameters hold (prepared by this incarnation) or those written at prepare.
            if (preparedInMemory != m.Update && !files.LoadGradients(s, m.Update))
                throw new InvalidOperationException($"no gradients were prepared for update {m.Update} (last applied {s.LastUpdate})");
            s.ApplyUpdate(m.Update, m.LearningRate, m.GradScale);
            preparedInMemory = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            sender.Tell(new ExpertShardFailed(setup.RunId, setup.Shard, e.Message, Lost: e is ShardLostState));
            return;
        }
        Persist(files.Save(shard!, setup.RunId, LastSequenceNr + 1, loaded: false), e =>
        {
            journaled = journaled.Apply(e);
            files.Prune(e);
            sender.Tell(new ExpertUpdateDone(setup.RunId, setup.Shard, m.Update, AppliedNow: true));
        });
    }

    // Changes the state as the learner says, then snapshots and journals it before answering with the status.
    private void Save(string runId, int index, bool loaded, Action change)
    {
        if (Refusal(runId, index) is { } refused) { Sender.Tell(refused); return; }
        var sender = Sender;
        ExpertShardSaved saved;
        try
        {
            using (NewDisposeScope()) change();
            saved = files.Save(Loaded(), setup.RunId, LastSequenceNr + 1, loaded);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            sender.Tell(new ExpertShardFailed(setup.RunId, setup.Shard, e.Message, Lost: false));
            return;
        }
        Persist(saved, e =>
        {
            journaled = journaled.Apply(e);
            files.Prune(e);
            sender.Tell(Status());
        });
    }

    private void LoadWeights(LoadExpertWeights m)
    {
        var tensors = m.Weights.ToDictionary(w => w.Name, w => TensorPayloads.ToTensor(w.Tensor, setup.Device));
        var fresh = Create();
        try
        {
            fresh.LoadFrom(tensors, $"the learner's weights for expert shard {setup.Shard}");
        }
        catch
        {
            fresh.Dispose();
            throw;
        }
        shard?.Dispose();
        shard = fresh;
        preparedInMemory = null;
    }

    private void LoadOptimizer(LoadExpertOptimizer m)
    {
        var s = Loaded();
        string path = Path.Combine(files.Folder, "optimizer-incoming.bin");
        Directory.CreateDirectory(files.Folder);
        TensorPayloads.ToFile(m.State, path);
        try
        {
            s.Optimizer.load_state_dict(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private ExpertOptimizerState ExportOptimizer()
    {
        var s = Loaded();
        string path = Path.Combine(files.Folder, "optimizer-outgoing.bin");
        Directory.CreateDirectory(files.Folder);
        s.Optimizer.save_state_dict(path);
        try
        {
            return new ExpertOptimizerState(setup.RunId, setup.Shard, s.LastUpdate, TensorPayloads.OfFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    protected override void PostStop()
    {
        shard?.Dispose();
        base.PostStop();
    }
}
