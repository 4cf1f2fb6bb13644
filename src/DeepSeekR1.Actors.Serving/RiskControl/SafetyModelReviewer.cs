using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Safety;
using DeepSeekR1.Actors.Serving.Chat;
using DeepSeekR1.Actors.Serving.Generation;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Serving.RiskControl;

/// <summary>
/// Reviews with the point-wise safety reward model: the last user turn and the answer, scored as the model was trained
/// (<see cref="RewardModelInput"/>); the answer is withdrawn when sigmoid(score), its probability of being safe, is below
/// the threshold. Scoring runs on the tensor thread, between generation batches.
/// </summary>
public sealed class SafetyModelReviewer : IRiskReviewer
{
    private readonly RewardModel _model;
    private readonly IPolicyTokenizer _tokenizer;
    private readonly TorchThread _torch;
    private readonly double _minSafe;

    /// <summary>A reviewer around <paramref name="model"/> (a safety model, used only on <paramref name="torch"/> from now on).</summary>
    public SafetyModelReviewer(RewardModel model, IPolicyTokenizer tokenizer, TorchThread torch, double minSafeProbability)
    {
        if (model.Kind != RewardModelKind.Safety) throw new ArgumentException("the risk reviewer needs a safety reward model, not a helpfulness one", nameof(model));
        _model = model;
        _tokenizer = tokenizer;
        _torch = torch;
        _minSafe = minSafeProbability;
    }

    /// <summary>The probability that <paramref name="response"/> to <paramref name="prompt"/> is safe, on the tensor thread.</summary>
    public Task<double> SafeProbabilityAsync(string prompt, string response) => TorchWork.RunAsync(_torch, () =>
    {
        using var scope = NewDisposeScope();
        var ids = RewardModelInput.Encode(_tokenizer, prompt, response, _model.Config.ContextLength);
        float score = RewardModelTrainer.Score(_model, [ids], 1)[0];
        return 1 / (1 + Math.Exp(-score));
    });

    /// <inheritdoc />
    public async Task<RiskReview> ReviewAsync(IReadOnlyList<ChatMessage> conversation, string answer, CancellationToken cancellation)
    {
        string prompt = conversation.Last(m => m.Role == "user").Content;
        double safe = await SafeProbabilityAsync(prompt, answer).ConfigureAwait(false);
        return new RiskReview(safe < _minSafe, "safety-rm", $"p(safe) = {safe:F3} (threshold {_minSafe:F2})");
    }
}
