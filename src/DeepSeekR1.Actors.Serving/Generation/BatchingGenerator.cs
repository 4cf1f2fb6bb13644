using System.Collections.Concurrent;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Serving.Generation;

/// <summary>
/// The one owner of the served policy. Requests from any number of HTTP handlers are queued; a batcher thread takes the
/// first, waits up to the linger for more (up to the batch limit), and runs each group of requests that sample alike as
/// one <see cref="PolicyGenerator"/> batch on the tensor thread, so concurrent requests share decoding steps the way
/// vLLM's scheduler batches them (without its continuous batching: a batch runs to its end before the next starts).
/// Tokens are pushed to each request as they are sampled, which is what streaming reads.
/// </summary>
public sealed class BatchingGenerator : IDisposable
{
    private readonly PolicyModel _model;
    private readonly TorchThread _torch;
    private readonly int _maxBatch;
    private readonly TimeSpan _linger;
    private readonly BlockingCollection<PendingCompletion> _queue = new();
    private readonly Thread _batcher;
    private long _batches, _requests;
    private int _largestBatch;

    /// <summary>Starts the batcher for <paramref name="model"/>, which from now on is used only on <paramref name="torch"/>.</summary>
    public BatchingGenerator(PolicyModel model, TorchThread torch, int maxBatch, TimeSpan linger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _model = model;
        _torch = torch;
        _maxBatch = maxBatch;
        _linger = linger;
        _batcher = new Thread(Loop) { Name = "r1-serve-batcher", IsBackground = true };
        _batcher.Start();
    }

    /// <summary>The model's context length in tokens.</summary>
    public int ContextLength => _model.Config.ContextLength;

    /// <summary>Batches run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Requests completed so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The most requests one batch has held.</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>Queues a completion of <paramref name="promptIds"/>.</summary>
    /// <exception cref="ArgumentException">The prompt is empty, or it and max-new-tokens do not fit the context.</exception>
    public PendingCompletion Submit(IReadOnlyList<int> promptIds, SamplingOptions options, ulong seed)
    {
        options.Validate();
        if (promptIds.Count == 0) throw new ArgumentException("the prompt encodes to no tokens", nameof(promptIds));
        if (promptIds.Count + options.MaxNewTokens > ContextLength)
            throw new ArgumentException($"the prompt ({promptIds.Count} tokens) and max_tokens ({options.MaxNewTokens}) exceed the model's context of {ContextLength} tokens");
        var pending = new PendingCompletion(promptIds, options, seed);
        _queue.Add(pending);
        return pending;
    }

    private void Loop()
    {
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            var batch = new List<PendingCompletion> { first };
            var until = DateTime.UtcNow + _linger;
            while (batch.Count < _maxBatch)
            {
                var left = until - DateTime.UtcNow;
                if (!_queue.TryTake(out var next, left > TimeSpan.Zero ? left : TimeSpan.Zero)) break;
                batch.Add(next);
            }
            // One PolicyGenerator call samples every row alike: requests that differ in how they sample run as separate batches.
            foreach (var group in batch.GroupBy(p => (p.Options.MaxNewTokens, p.Options.Temperature, p.Options.TopP, p.Options.TopK)))
                Run(group.ToList());
        }
    }

    private void Run(IReadOnlyList<PendingCompletion> group)
    {
        try
        {
            var requests = group.Select(p => new GenerationRequest(p.PromptIds, p.Seed)).ToArray();
            var results = _torch.Invoke(() => PolicyGenerator.Generate(_model, requests, group[0].Options, (row, token) => group[row].Token(token)));
            for (int i = 0; i < group.Count; i++) group[i].Finish(results[i]);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _requests, group.Count);
            if (group.Count > _largestBatch) Volatile.Write(ref _largestBatch, group.Count);
        }
        catch (Exception e)
        {
            foreach (var pending in group) pending.Fail(e);
        }
    }

    /// <summary>Stops taking requests, lets the batcher finish what is queued, and waits for it.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _batcher.Join();
        _queue.Dispose();
    }
}
