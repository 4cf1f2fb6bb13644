using TorchSharp;
using DeepSeekR1.Actors.Model.Policy.Moe;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// The decoder stack under the name <c>model</c>: token embedding, layers, final norm. Kept as its own module so that
/// parameter names come out exactly as Hugging Face writes them (<c>model.layers.0.self_attn.q_proj.weight</c>).
/// </summary>
public sealed class DecoderStack : nn.Module
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<DecoderLayer> layers;
    private readonly RmsNorm norm;
    private readonly int mainLayers;

    /// <summary>
    /// Creates the stack for <paramref name="config"/>. <paramref name="prepare"/>, when given, is called with each part's
    /// Hugging Face name prefix (<c>model.embed_tokens</c>, <c>model.layers.0</c>, ..., <c>model.norm</c>) as soon as the
    /// part exists, in parameter order: the policy initialises and converts one part at a time there.
    /// </summary>
    public DecoderStack(ModelConfig config, Action<string, nn.Module>? prepare = null) : base(nameof(DecoderStack))
    {
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        prepare?.Invoke("model.embed_tokens", embed_tokens);
        layers = new ModuleList<DecoderLayer>();
        // The multi-token prediction layers follow the main ones in the same list, so their parameters carry DeepSeek-V3's
        // names (model.layers.{num-layers + k}.eh_proj.weight); the main forward never runs them.
        mainLayers = config.NumLayers;
        for (int i = 0; i < config.NumLayers + config.MtpLayers; i++)
        {
            var layer = new DecoderLayer(config, i);
            prepare?.Invoke($"model.layers.{i}", layer);
            layers.Add(layer);
        }
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        prepare?.Invoke("model.norm", norm);
        RegisterComponents();
    }

    /// <summary>The token embedding (shared with the output head when embeddings are tied).</summary>
    public Embedding Embeddings => embed_tokens;

    /// <summary>The decoder blocks of the main model, in order.</summary>
    public IReadOnlyList<DecoderLayer> Layers => layers.Take(mainLayers).ToList();

    /// <summary>The multi-token prediction layers, depth 1 first (empty when the model has none).</summary>
    public IReadOnlyList<DecoderLayer> MtpLayers => layers.Skip(mainLayers).ToList();

    /// <summary>Hidden states after the final norm, [batch, seq, hidden].</summary>
    public Tensor Forward(Tensor ids, Tensor positions, RotaryEmbedding rope, Tensor? mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = embed_tokens.forward(ids);
        var tables = rope.Tables(positions, h.dtype);
        for (int i = 0; i < mainLayers; i++) h = layers[i].Forward(h, tables, mask, cache);
        return norm.forward(h).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The policy: a decoder-only transformer (RMSNorm, RoPE, grouped-query attention, SwiGLU, optional tied embeddings,
/// optional DeepSeek-style MoE layers) with a language-model head. Device-agnostic: it runs wherever it is moved.
/// Parameters carry Hugging Face Llama/Qwen2 (and DeepSeek-V3 for MoE) names, so real checkpoints load by name.
/// </summary>
public sealed class PolicyModel : nn.Module
{
    private readonly DecoderStack model;
    private readonly Linear? lm_head;
    private RotaryEmbedding rope;

    /// <summary>
    /// Creates a randomly initialised policy (normal(0, 0.02) weights, as GPT-2/Llama training does), held in
    /// <see cref="ModelConfig.Dtype"/>.
    /// </summary>
    public PolicyModel(ModelConfig config, Device? device = null, long seed = 0) : base(nameof(PolicyModel))
    {
        Config = config.Validate();
        // Parameters are drawn on the CPU from a fixed seed so the same seed gives the same model on any device. Each part
        // is drawn as soon as it exists, in parameter order (the order one pass over named_parameters() would take), and a
        // bfloat16 policy converts it right away: the weights are the float32 draw rounded, so one seed gives the same
        // model in either dtype, and at most one layer is ever held in float32 (a 1.5B policy never needs its 6 GB).
        using (var generator = new Generator((ulong)seed))
        {
            void Prepare(string prefix, nn.Module part)
            {
                using (no_grad())
                    foreach (var (name, p) in part.named_parameters())
                    {
                        string full = $"{prefix}.{name}";
                        if (full.EndsWith("norm.weight", StringComparison.Ordinal)) continue;   // norms start at one
                        if (full.EndsWith(".bias", StringComparison.Ordinal)) { p.zero_(); continue; }
                        p.normal_(0, 0.02, generator);
                    }
                if (config.Dtype != ModelDtype.Float32) part.to(config.TorchDtype);
            }
            model = new DecoderStack(config, Prepare);
            if (!config.TieWordEmbeddings)
            {
                lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
                Prepare("lm_head", lm_head);
            }
            RegisterComponents();
        }
        rope = new RotaryEmbedding(config, CPU);
        if (device is not null && device.type != TorchSharp.DeviceType.CPU) MoveTo(device);
    }

    /// <summary>The model's shape.</summary>
    public ModelConfig Config { get; }

    /// <summary>Where generation keeps its KV cache between batches (<see cref="Sampling.SamplingOptions.KeepKvCache"/>).</summary>
    public KvCacheArena KvCacheArena { get; } = new();

    /// <summary>The device the parameters live on.</summary>
    public Device Device => model.Embeddings.weight!.device;

    /// <summary>The decoder stack.</summary>
    public DecoderStack Decoder => model;

    /// <summary>The MoE layers of the main model, in layer order (empty for a dense model).</summary>
    public IEnumerable<MoeLayer> MoeLayers => model.Layers.Select(l => l.Moe).OfType<MoeLayer>();

    // Every router trains: the main model's and those of multi-token prediction layers alike.
    private IEnumerable<MoeLayer> AllMoeLayers => model.Layers.Concat(model.MtpLayers).Select(l => l.Moe).OfType<MoeLayer>();

    /// <summary>Moves parameters, buffers and rotary tables to <paramref name="device"/>.</summary>
    public PolicyModel MoveTo(Device device)
    {
        this.to(device);
        rope.Dispose();
        rope = new RotaryEmbedding(Config, device);
        return this;
    }

    /// <summary>
    /// Final hidden states for <paramref name="ids"/> [batch, seq] at <paramref name="positions"/> [batch, seq].
    /// <paramref name="keyValid"/> [batch, cached + seq] marks real (non-padding) tokens; null means all are real.
    /// With a <paramref name="cache"/>, the new positions are appended to it (the caller advances it).
    /// </summary>
    public Tensor Hidden(Tensor ids, Tensor positions, Tensor? keyValid = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        long max = positions.max().item<long>();
        if (max >= Config.ContextLength)
            throw new ArgumentException($"position {max} is beyond the model's context ({Config.ContextLength} positions: max-position-embeddings {Config.MaxPositionEmbeddings}, rope-type {Config.RopeType})");
        Tensor? mask = keyValid is null || AttentionMask.AllValid(keyValid) ? null : AttentionMask.Build(keyValid, ids.shape[1]);
        if (mask is null && cache is not null && cache.Length > 0 && ids.shape[1] > 1)
        {
            // New queries after cached keys need an offset causal mask; is_causal alone would align them at key 0.
            var valid = ones([ids.shape[0], cache.Length + ids.shape[1]], ScalarType.Bool, ids.device);
            mask = AttentionMask.Build(valid, ids.shape[1]);
        }
        return model.Forward(ids, positions, rope, mask, cache).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The multi-token prediction modules' hidden states for a right-padded batch, depth 1 first. Depth k (1-based) has
    /// <c>seq - k</c> positions: its position i reads the depth k-1 state at i (the main model's final hidden state for
    /// k = 1, after its final norm, as DeepSeek-V3's serving code feeds it) and the embedding of token i + k, and predicts
    /// token i + k + 1 through <see cref="MtpLogits"/>. The window is causal and needs no cache: training only.
    /// </summary>
    /// <param name="mainHidden">The main model's <see cref="Hidden"/> for <paramref name="ids"/>, [batch, seq, hidden].</param>
    /// <param name="ids">The token ids, [batch, seq].</param>
    /// <param name="keyValid">Real (non-padding) tokens, [batch, seq]; null means all.</param>
    public IReadOnlyList<Tensor> MtpHidden(Tensor mainHidden, Tensor ids, Tensor? keyValid = null)
    {
        var layers = model.MtpLayers;
        if (layers.Count == 0) throw new InvalidOperationException("the model has no multi-token prediction layers (r1.model.mtp-layers = 0)");
        using var scope = NewDisposeScope();
        long rows = ids.shape[0], seq = ids.shape[1];
        var outputs = new List<Tensor>();
        var previous = mainHidden;
        for (int depth = 1; depth <= layers.Count && depth < seq; depth++)
        {
            long length = seq - depth;
            var positions = arange(length, device: ids.device).unsqueeze(0).expand(rows, length);
            Tensor? mask = null;
            if (keyValid is not null)
            {
                // Position i stands for token i + depth: it is real when that token is.
                var valid = keyValid.narrow(1, depth, length);
                if (!AttentionMask.AllValid(valid)) mask = AttentionMask.Build(valid, length);
            }
            var embeddings = model.Embeddings.forward(ids.narrow(1, depth, length));
            var tables = rope.Tables(positions, embeddings.dtype);
            previous = layers[depth - 1].MtpForward(previous.narrow(1, 0, length), embeddings, tables, mask);
            outputs.Add(previous);
        }
        foreach (var output in outputs) output.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>
    /// Depth 1 of the multi-token prediction modules for generation, with their own cache: the drafter of speculative
    /// decoding (<see cref="Sampling.SpeculativeGenerator"/>). Position j joins the main model's final hidden state at j
    /// with the embedding of token j + 1, exactly as <see cref="MtpHidden"/> does in training, and its output (through
    /// <see cref="MtpLogits"/> with depth 1) proposes token j + 2. The new positions are appended to
    /// <paramref name="cache"/> (the caller advances it) and attend to those cached before, so each step feeds only the
    /// positions whose main hidden state is new. No padding: one row, or rows of one length.
    /// </summary>
    /// <param name="mainHidden">Main hidden states of the new positions, [batch, seq, hidden].</param>
    /// <param name="nextIds">The token after each of them, [batch, seq].</param>
    /// <param name="positions">Their positions, [batch, seq] (the positions of <paramref name="mainHidden"/>).</param>
    /// <param name="cache">The modules' cache, <see cref="KvCache.ForMtp"/>.</param>
    public Tensor MtpDraftHidden(Tensor mainHidden, Tensor nextIds, Tensor positions, KvCache cache)
    {
        var layers = model.MtpLayers;
        if (layers.Count == 0) throw new InvalidOperationException("the model has no multi-token prediction layers (r1.model.mtp-layers = 0)");
        using var scope = NewDisposeScope();
        long rows = nextIds.shape[0], seq = nextIds.shape[1];
        // As in Hidden: new queries after cached keys need the offset causal mask; alone, is_causal is right.
        Tensor? mask = cache.Length > 0 && seq > 1
            ? AttentionMask.Build(ones([rows, cache.Length + seq], ScalarType.Bool, nextIds.device), seq)
            : null;
        var embeddings = model.Embeddings.forward(nextIds);
        var tables = rope.Tables(positions, embeddings.dtype);
        return layers[0].MtpForward(mainHidden, embeddings, tables, mask, cache).MoveToOuterDisposeScope();
    }

    /// <summary>Vocabulary logits of depth <paramref name="depth"/> (1-based) for its <see cref="MtpHidden"/> states, through the shared head.</summary>
    public Tensor MtpLogits(int depth, Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return Logits(model.MtpLayers[depth - 1].MtpNorm(hidden)).MoveToOuterDisposeScope();
    }

    /// <summary>Vocabulary logits for hidden states [..., hidden] (through the tied embedding or lm_head).</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is not null ? lm_head.forward(hidden) : nn.functional.linear(hidden, model.Embeddings.weight!);

    /// <summary>
    /// The output head's weight [vocab, hidden]: lm_head's, or the token embedding when embeddings are tied (then the
    /// fused log-prob kernel's weight gradient reaches the embedding, as it does through <see cref="Logits"/>).
    /// </summary>
    public Tensor OutputWeight => lm_head is not null ? lm_head.weight! : model.Embeddings.weight!;

    /// <summary>Logits for every position of a batch: [batch, seq, vocab]. Convenient, but costly for long sequences.</summary>
    public Tensor Forward(Tensor ids, Tensor positions, Tensor? keyValid = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        return Logits(Hidden(ids, positions, keyValid, cache)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs each layer's q/k/v projections as one matmul, and the gate/up projections of dense MLPs as one, until the
    /// returned handle is disposed: fewer, larger matmuls for decoding, where one token per row makes every call's
    /// fixed cost count. The fused weights are a snapshot, so hold the handle only while the parameters do not change
    /// (one generation call); the parameters themselves, their names and checkpoints are untouched.
    /// </summary>
    public IDisposable FuseProjections()
    {
        var layers = model.Layers;
        foreach (var layer in layers) layer.Fuse();
        return new FusedProjections(layers);
    }

    /// <summary>Undoes <see cref="FuseProjections"/> on dispose.</summary>
    private sealed class FusedProjections(IReadOnlyList<DecoderLayer> layers) : IDisposable
    {
        public void Dispose()
        {
            foreach (var layer in layers) layer.Unfuse();
        }
    }

    /// <summary>Sum of the MoE layers' auxiliary balance losses from the last training forward pass, or null.</summary>
    public Tensor? AuxLoss()
    {
        Tensor? total = null;
        // The main layers only: they run in every pass (a multi-token prediction layer keeps its last pass's loss, and
        // ModelConfig refuses aux-loss balancing in one).
        foreach (var layer in MoeLayers)
            if (layer.LastAuxLoss is { } aux) total = total is null ? aux.alias() : total + aux;
        return total;
    }

    /// <summary>Applies V3's bias update in every aux-free MoE router; the learner calls this after each optimizer step.</summary>
    public void UpdateRouterBiases()
    {
        foreach (var layer in AllMoeLayers) layer.Router.UpdateBias();
    }

    /// <summary>Forgets the routing of training passes since the last bias update (an abandoned pass that will run again).</summary>
    public void ForgetRouterLoad()
    {
        foreach (var layer in AllMoeLayers) layer.Router.ForgetPendingLoad();
    }

    /// <summary>Tokens per routed expert in each MoE layer over the last forward pass, for metrics.</summary>
    public IReadOnlyDictionary<int, long[]> RoutingStatistics() =>
        model.Layers.Select((l, i) => (l, i)).Where(x => x.l.Moe is not null)
            .ToDictionary(x => x.i, x => x.l.Moe!.Router.LastTokensPerExpert);

    /// <summary>Whether <paramref name="name"/> is a parameter of a multi-token prediction layer (model.layers.{i} with i >= num-layers).</summary>
    public bool IsMtpParameter(string name)
    {
        const string prefix = "model.layers.";
        if (Config.MtpLayers == 0 || !name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        int end = name.IndexOf('.', prefix.Length);
        return end > prefix.Length && int.TryParse(name.AsSpan(prefix.Length, end - prefix.Length), out int layer) && layer >= Config.NumLayers;
    }

    /// <summary>Number of parameters a token actually uses (routed experts count k of E), for FLOP accounting.</summary>
    public long ActiveParameters(bool includeEmbedding = false)
    {
        long total = 0;
        foreach (var (name, p) in named_parameters())
        {
            long n = p.numel();
            if (IsMtpParameter(name)) continue;   // not in the main forward, whose FLOPs this counts
            if (name.Contains(".mlp.experts.", StringComparison.Ordinal)) n = n * Config.ExpertsPerToken / Config.NumRoutedExperts;
            if (name == "model.embed_tokens.weight" && !includeEmbedding && !Config.TieWordEmbeddings) n = 0;
            total += n;
        }
        return total;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rope.Dispose();
            KvCacheArena.Dispose();
        }
        base.Dispose(disposing);
    }
}
