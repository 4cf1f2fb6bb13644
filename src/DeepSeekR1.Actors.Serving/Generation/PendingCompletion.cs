using System.Threading.Channels;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Serving.Generation;

/// <summary>
/// A request queued with the <see cref="BatchingGenerator"/>: its tokens arrive on <see cref="Tokens"/> as they are
/// sampled, and <see cref="Result"/> completes when its row of the batch is done (or fails with the batch).
/// </summary>
public sealed class PendingCompletion
{
    private readonly Channel<int> _tokens = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource<GenerationResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PendingCompletion(IReadOnlyList<int> promptIds, SamplingOptions options, ulong seed)
    {
        PromptIds = promptIds;
        Options = options;
        Seed = seed;
    }

    /// <summary>The prompt's token ids.</summary>
    public IReadOnlyList<int> PromptIds { get; }

    /// <summary>How it is sampled.</summary>
    public SamplingOptions Options { get; }

    /// <summary>Seed of its random stream.</summary>
    public ulong Seed { get; }

    /// <summary>The sampled tokens, in order, as they come (the stop token included); completed with the row.</summary>
    public ChannelReader<int> Tokens => _tokens.Reader;

    /// <summary>The finished completion.</summary>
    public Task<GenerationResult> Result => _result.Task;

    internal void Token(int id) => _tokens.Writer.TryWrite(id);

    internal void Finish(GenerationResult result)
    {
        _tokens.Writer.TryComplete();
        _result.TrySetResult(result);
    }

    internal void Fail(Exception error)
    {
        _tokens.Writer.TryComplete(error);
        _result.TrySetException(error);
    }
}
