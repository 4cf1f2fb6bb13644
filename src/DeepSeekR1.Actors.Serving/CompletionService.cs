using System.Runtime.CompilerServices;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Serving.Chat;
using DeepSeekR1.Actors.Serving.Generation;
using DeepSeekR1.Actors.Serving.RiskControl;

namespace DeepSeekR1.Actors.Serving;

/// <summary>
/// Turns a request into a completion: renders the conversation with the checkpoint's template, queues it with the
/// <see cref="BatchingGenerator"/>, and streams the text as tokens arrive. Under risk control, a request whose user
/// turns hit a keyword is not streamed live: its answer is held back until the reviewer has decided, and a withdrawn
/// answer is replaced by the refusal (a streamed answer cannot be taken back once sent). The HTTP layer and
/// <c>r1 safety eval</c> both go through here, so the evaluation measures exactly what is served.
/// </summary>
public sealed class CompletionService(BatchingGenerator generator, IPolicyTokenizer tokenizer, PromptTemplateKind template,
    SamplingOptions sampling, RiskController? riskControl)
{
    private long _seedCounter;

    /// <summary>The template chat requests are rendered with.</summary>
    public PromptTemplateKind Template => template;

    /// <summary>The generator.</summary>
    public BatchingGenerator Generator => generator;

    /// <summary>Risk control, or null when the server runs without it.</summary>
    public RiskController? RiskControl => riskControl;

    /// <summary>
    /// Runs <paramref name="request"/>: text events as the answer grows, then one final event with the outcome.
    /// Cancelling stops reading (the batch the request is in still runs to its end).
    /// </summary>
    /// <exception cref="ArgumentException">The prompt does not fit the context (raised before the first event).</exception>
    public async IAsyncEnumerable<CompletionEvent> RunAsync(CompletionRequest request, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        string prompt = request.Messages is { } messages ? ChatTemplate.Render(template, messages) : request.Prompt!;
        var ids = tokenizer.Encode(prompt);
        var options = sampling with
        {
            MaxNewTokens = request.MaxTokens ?? sampling.MaxNewTokens,
            Temperature = request.Temperature ?? sampling.Temperature,
            TopP = request.TopP ?? sampling.TopP,
        };
        ulong seed = request.Seed ?? (ulong)Interlocked.Increment(ref _seedCounter) * 0x9E3779B97F4A7C15UL;
        var hits = riskControl is not null && (request.RiskControl ?? riskControl.EnabledByDefault)
            ? riskControl.Flag(request.Conversation) : [];
        var pending = generator.Submit(ids, options, seed);

        var tokens = new List<int>();
        int sent = 0;
        await foreach (var token in pending.Tokens.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            tokens.Add(token);
            if (hits.Count > 0) continue;   // held back for review
            string text = tokenizer.Decode(tokens, skipSpecialTokens: true);
            // A token that ends inside a multi-byte character decodes to U+FFFD until the rest arrives: wait for it.
            if (text.Length > sent && !text.EndsWith('\uFFFD'))
            {
                yield return new CompletionEvent(text[sent..], null);
                sent = text.Length;
            }
        }
        var result = await pending.Result.ConfigureAwait(false);
        string answer = tokenizer.Decode(result.TokenIds, skipSpecialTokens: true);
        bool withdrawn = false;
        if (hits.Count > 0)
        {
            (answer, withdrawn, _) = await riskControl!.ReviewAsync(request.Conversation, answer, hits, cancellation).ConfigureAwait(false);
            yield return new CompletionEvent(answer, null);
        }
        else if (answer.Length > sent)
        {
            yield return new CompletionEvent(answer[sent..], null);
        }
        string finish = withdrawn ? "content_filter" : result.Finish == FinishReason.Stop ? "stop" : "length";
        yield return new CompletionEvent("", new CompletionOutcome(answer, finish, ids.Count, result.TokenIds.Count, withdrawn, hits));
    }

    /// <summary>Runs <paramref name="request"/> to its end and returns the outcome.</summary>
    public async Task<CompletionOutcome> CompleteAsync(CompletionRequest request, CancellationToken cancellation = default)
    {
        await foreach (var e in RunAsync(request, cancellation).ConfigureAwait(false))
            if (e.Final is { } final) return final;
        throw new InvalidOperationException("the completion ended without an outcome");
    }
}
