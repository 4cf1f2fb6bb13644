using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Safety;
using DeepSeekR1.Actors.Serving.Chat;
using DeepSeekR1.Actors.Serving.Generation;
using DeepSeekR1.Actors.Serving.RiskControl;

namespace DeepSeekR1.Actors.Serving;

/// <summary>
/// Everything behind the HTTP endpoint, put together from settings: the generator that owns the policy, risk control
/// with the configured reviewer, and the <see cref="CompletionService"/>. Disposing it stops the generator and
/// disposes the models it owns (on the tensor thread).
/// </summary>
public sealed class ServingStack : IDisposable
{
    private readonly PolicyModel _policy;
    private readonly RewardModel? _safetyModel;
    private readonly TorchThread _torch;

    private ServingStack(PolicyModel policy, RewardModel? safetyModel, TorchThread torch, BatchingGenerator generator, CompletionService service)
    {
        _policy = policy;
        _safetyModel = safetyModel;
        _torch = torch;
        Generator = generator;
        Service = service;
    }

    /// <summary>The generator.</summary>
    public BatchingGenerator Generator { get; }

    /// <summary>The completion pipeline.</summary>
    public CompletionService Service { get; }

    /// <summary>
    /// Builds the stack around <paramref name="policy"/> (which it then owns). <paramref name="loadSafetyModel"/> loads the
    /// safety reward model of <c>r1.risk-control.safety-rm</c> when the reviewer needs it; <paramref name="log"/> gets one
    /// line per risk review.
    /// </summary>
    public static ServingStack Create(PolicyModel policy, IPolicyTokenizer tokenizer, ServeSettings serve, RiskControlSettings risk,
        SamplingOptions sampling, TorchThread torch, Func<string, RewardModel> loadSafetyModel, TextWriter? log = null)
    {
        serve.Validate();
        risk.Validate();
        if (sampling.StopTokenIds.Count == 0) sampling = sampling with { StopTokenIds = [tokenizer.EosId] };
        var generator = new BatchingGenerator(policy, torch, serve.MaxBatch, serve.BatchLinger);
        RewardModel? safetyModel = null;
        try
        {
            var keywords = new RiskKeywords(risk.Keywords.Concat(risk.KeywordsFile.Length > 0 ? RiskKeywords.ReadFile(risk.KeywordsFile) : []));
            IRiskReviewer reviewer;
            if (risk.Reviewer == ReviewerChoice.SafetyRm || (risk.Reviewer == ReviewerChoice.Auto && risk.SafetyRm.Length > 0))
            {
                safetyModel = torch.Invoke(() => loadSafetyModel(risk.SafetyRm));
                reviewer = new SafetyModelReviewer(safetyModel, tokenizer, torch, risk.MinSafeProbability);
            }
            else
            {
                reviewer = new PolicyReviewer(generator, tokenizer, sampling, risk.ReviewMaxNewTokens);
            }
            var controller = new RiskController(keywords, reviewer, risk.Refusal, risk.Enabled, e => log?.WriteLine(
                $"r1 serve: risk review ({e.Review.Reviewer}) of a turn matching [{string.Join(", ", e.Keywords)}]: " +
                $"{(e.Review.Withdraw ? "WITHDRAWN" : "kept")} ({e.Review.Reason})"));
            var service = new CompletionService(generator, tokenizer, ChatTemplate.Resolve(serve.Template, tokenizer), sampling, controller);
            return new ServingStack(policy, safetyModel, torch, generator, service);
        }
        catch
        {
            generator.Dispose();
            if (safetyModel is not null) torch.Invoke(safetyModel.Dispose);
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Generator.Dispose();
        _torch.Invoke(() =>
        {
            _safetyModel?.Dispose();
            _policy.Dispose();
        });
    }
}
