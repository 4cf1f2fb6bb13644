using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Sft;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// Pretrains the built-in base model from scratch on <see cref="ArithmeticCorpus"/>. The loss is the completion
/// tokens' NLL, as in SFT: the template and the question are context the model must read, not text it will ever
/// have to write, and predicting random operands would only spend capacity. The template's fixed prefix is run
/// once per batch (<see cref="SharedPrefixLoss"/>).
/// </summary>
public static class Pretrainer
{
    /// <summary>Runs <see cref="PretrainSettings.Steps"/> steps on <paramref name="model"/>, synchronously on the calling thread.</summary>
    public static SftResult Run(PolicyModel model, IPolicyTokenizer tokenizer, PretrainSettings settings,
        Action<SftProgress>? progress = null, CancellationToken cancellation = default, Action<long>? stepDone = null)
    {
        var source = new CorpusBatches(new ArithmeticCorpus(settings.Corpus), tokenizer, settings.BatchSize);
        var loss = new SharedPrefixLoss(tokenizer.Encode(ArithmeticCorpus.SharedPrefix));
        return SftTrainer.Train(model, source, settings.Steps, settings.Trainer, progress, cancellation, loss.Compute, stepDone: stepDone);
    }
}
