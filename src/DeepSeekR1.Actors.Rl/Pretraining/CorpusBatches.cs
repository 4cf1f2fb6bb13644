using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Sft;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// Step s of pretraining reads corpus documents s·B .. s·B + B - 1. Each becomes an example whose prompt is only
/// the part after <see cref="ArithmeticCorpus.SharedPrefix"/> (<see cref="SharedPrefixLoss"/> supplies the prefix).
/// </summary>
public sealed class CorpusBatches : ISftBatchSource
{
    private readonly ArithmeticCorpus _corpus;
    private readonly IPolicyTokenizer _tokenizer;
    private readonly int _batchSize;

    /// <summary>Batches of <paramref name="batchSize"/> consecutive documents of <paramref name="corpus"/>.</summary>
    public CorpusBatches(ArithmeticCorpus corpus, IPolicyTokenizer tokenizer, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _corpus = corpus;
        _tokenizer = tokenizer;
        _batchSize = batchSize;
    }

    /// <inheritdoc />
    public IReadOnlyList<SftExample> BatchAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Enumerable.Range(0, _batchSize)
            .Select(i => _corpus.DocumentAt(step * _batchSize + i))
            .Select(d => SftTokenization.Encode(_tokenizer, ArithmeticCorpus.PromptSuffix(d.Prompt), d.Completion))
            .ToArray();
    }
}
