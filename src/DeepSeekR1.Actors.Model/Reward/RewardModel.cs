using DeepSeekR1.Actors.Model.Policy;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Reward;

/// <summary>
/// A reward model: the policy's transformer with a scalar head read at the last real token of each sequence (as
/// InstructGPT, DeepSeek and TRL's <c>AutoModelForSequenceClassification</c> with one label do). The backbone keeps the
/// policy's parameter names, so a reward model starts from any policy checkpoint; the head is <c>score.weight</c>
/// [1, hidden] and <c>score.bias</c> [1], zero at the start, so an untrained model scores every sequence 0 and its
/// Bradley-Terry loss starts at exactly log 2. The head is float32 whatever the backbone's dtype (a bfloat16 backbone's
/// last hidden state is upcast before it), so a score is one float32 dot product, as TRL's value heads upcast.
/// </summary>
public sealed class RewardModel : nn.Module
{
    private readonly PolicyModel backbone;
    private readonly Linear score;

    /// <summary>Wraps <paramref name="backbone"/> (which this model then owns and disposes) with a fresh zero head.</summary>
    public RewardModel(PolicyModel backbone, RewardModelKind kind) : base(nameof(RewardModel))
    {
        this.backbone = backbone;
        Kind = kind;
        score = nn.Linear(backbone.Config.HiddenSize, 1, hasBias: true);
        using (no_grad())
        {
            score.weight!.zero_();
            score.bias!.zero_();
        }
        RegisterComponents();
        score.to(backbone.Device);
    }

    /// <summary>What the score means.</summary>
    public RewardModelKind Kind { get; }

    /// <summary>The transformer under the head.</summary>
    public PolicyModel Backbone => backbone;

    /// <summary>The scalar head (hidden → 1).</summary>
    public Linear Head => score;

    /// <summary>The model's shape (the backbone's).</summary>
    public ModelConfig Config => backbone.Config;

    /// <summary>The device the parameters live on.</summary>
    public Device Device => backbone.Device;

    /// <summary>Moves backbone (with its rotary tables) and head to <paramref name="device"/>.</summary>
    public RewardModel MoveTo(Device device)
    {
        backbone.MoveTo(device);
        score.to(device);
        return this;
    }

    /// <summary>
    /// Scores right-padded sequences: <paramref name="ids"/> [batch, seq], <paramref name="valid"/> [batch, seq] true for
    /// real tokens, which must be a prefix of each row (at least one per row). Returns [batch] float32 scores, with
    /// gradient when grad mode is on; the caller owns the result.
    /// </summary>
    public Tensor Score(Tensor ids, Tensor valid)
    {
        using var scope = NewDisposeScope();
        long batch = ids.shape[0], seq = ids.shape[1];
        var positions = arange(seq, device: ids.device).unsqueeze(0).expand(batch, seq);   // [B, T]
        var hidden = backbone.Hidden(ids, positions, valid);                                 // [B, T, H]
        var lengths = valid.to_type(ScalarType.Int64).sum(1);                               // [B]
        if (lengths.min().item<long>() < 1) throw new ArgumentException("every row needs at least one real token", nameof(valid));
        var last = (lengths - 1).view(batch, 1, 1).expand(batch, 1, hidden.shape[2]);     // [B, 1, H]
        var pooled = hidden.gather(1, last).squeeze(1);                                      // [B, H]
        return score.forward(pooled.to_type(score.weight!.dtype)).squeeze(-1).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) backbone.Dispose();
        base.Dispose(disposing);
    }
}
