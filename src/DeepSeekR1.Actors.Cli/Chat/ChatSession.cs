using DeepSeekR1.Actors.Cli.Terminal;
using DeepSeekR1.Actors.Serving;
using DeepSeekR1.Actors.Serving.Chat;

namespace DeepSeekR1.Actors.Cli.Chat;

/// <summary>
/// A conversation with a checkpoint in the terminal (<c>r1 chat</c>): each line typed is a user turn, the answer is
/// printed token by token as it is sampled, and every earlier turn goes back to the model in the checkpoint's chat
/// template. It runs through the same <see cref="CompletionService"/> as <c>r1 serve</c>, risk control included, so
/// what one sees here is what the endpoint answers. <c>/new</c> forgets the conversation, <c>/exit</c> (or Ctrl+D) ends.
/// </summary>
/// <param name="service">The completion pipeline.</param>
/// <param name="input">Where the user's lines come from.</param>
/// <param name="output">Where answers go.</param>
/// <param name="system">A system message for templates that have one (null: none).</param>
/// <param name="riskControl">Risk control for this session (null: the server's default).</param>
/// <param name="seed">Base of each turn's sampling seed (turn t samples with a seed derived from it and t).</param>
public sealed class ChatSession(CompletionService service, ILineInput input, TextWriter output, string? system, bool? riskControl, ulong seed)
{
    private readonly List<ChatMessage> messages = [];
    private int turns;

    /// <summary>The conversation so far (the system message first, when there is one).</summary>
    public IReadOnlyList<ChatMessage> Messages => messages;

    /// <summary>Reads turns until <c>/exit</c> or the end of the input; returns 0.</summary>
    public async Task<int> RunAsync(CancellationToken cancellation = default)
    {
        Reset();
        await output.WriteLineAsync($"r1 chat: template {service.Template}; /new forgets the conversation, /exit ends");
        while (!cancellation.IsCancellationRequested)
        {
            string? line = await input.ReadLineAsync("you> ", cancellation);
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (line is "/exit" or "/quit" or "exit" or "quit") break;
            if (line == "/new")
            {
                Reset();
                await output.WriteLineAsync("r1 chat: a new conversation");
                continue;
            }
            await TurnAsync(line, cancellation);
        }
        return 0;
    }

    private void Reset()
    {
        messages.Clear();
        if (!string.IsNullOrEmpty(system)) messages.Add(new ChatMessage("system", system));
    }

    private async Task TurnAsync(string user, CancellationToken cancellation)
    {
        messages.Add(new ChatMessage("user", user));
        var request = new CompletionRequest([.. messages], null, null, null, null, Seeds(turns++), riskControl, Stream: true);
        CompletionOutcome? outcome = null;
        try
        {
            await output.WriteAsync("r1> ");
            await foreach (var e in service.RunAsync(request, cancellation))
            {
                if (e.Final is { } final) outcome = final;
                else
                {
                    await output.WriteAsync(e.Text);
                    await output.FlushAsync(cancellation);
                }
            }
            await output.WriteLineAsync();
        }
        catch (ArgumentException e)
        {
            // The prompt no longer fits the model's context: this turn is dropped, the conversation kept as it was.
            messages.RemoveAt(messages.Count - 1);
            await output.WriteLineAsync();
            await output.WriteLineAsync($"r1 chat: {e.Message}; /new starts a fresh conversation");
            return;
        }
        if (outcome is null) return;
        messages.Add(new ChatMessage("assistant", outcome.Text));
        if (outcome.Withdrawn)
            await output.WriteLineAsync($"r1 chat: the answer was withdrawn by risk control (keywords: {string.Join(", ", outcome.RiskKeywords)})");
        else if (outcome.FinishReason == "length")
            await output.WriteLineAsync($"r1 chat: (cut at {outcome.CompletionTokens} tokens, r1.sampling.max-new-tokens)");
    }

    // A seed per turn, derived from the session's: the same conversation typed again gets the same answers.
    private ulong Seeds(int turn) => Rl.Data.Seeds.Derive(seed, "chat", turn);
}
