using DeepSeekR1.Actors.Cli.Chat;
using DeepSeekR1.Actors.Cli.Terminal;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Serving;

namespace DeepSeekR1.Actors.Cli.Tests.Chat;

/// <summary>r1 chat: turns go to the shipped tiny model through the serving pipeline and come back streamed.</summary>
public class ChatSessionTests
{
    private static readonly string BaseModel = RepositoryPaths.Resolve("models/base-tiny")!;

    private static ServingStack Stack(Func<RiskControlSettings, RiskControlSettings>? risk = null)
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(BaseModel);
        var policy = TorchThread.Shared.Invoke(() => PolicyCheckpoint.Load(BaseModel));
        return ServingStack.Create(policy, tokenizer, ServeSettings.Defaults with { Port = 0 }, (risk ?? (r => r))(RiskControlSettings.Defaults),
            SamplingOptions.Defaults with { MaxNewTokens = 12 }, TorchThread.Shared,
            _ => throw new InvalidOperationException("no safety model in this test"));
    }

    [Fact]
    public async Task Each_line_is_a_turn_answered_in_the_conversation_and_new_forgets_it()
    {
        using var stack = Stack();
        var screen = new StringWriter();
        var session = new ChatSession(stack.Service, new PlainLineInput(new StringReader("What is 2 + 3?\nAnd 4 + 4?\n/new\n\nWhat is 1 + 1?\n/exit\nnever read\n"), screen),
            screen, system: null, riskControl: false, seed: 7);
        Assert.Equal(0, await session.RunAsync());

        string text = screen.ToString();
        Assert.Equal(3, text.Split("r1> ").Length - 1);            // three turns answered, the blank line skipped
        Assert.Contains("r1 chat: a new conversation", text);
        Assert.DoesNotContain("never read", text);
        // After /new only the last turn and its answer remain; the answer is what was streamed.
        Assert.Equal(["user", "assistant"], session.Messages.Select(m => m.Role));
        Assert.Equal("What is 1 + 1?", session.Messages[0].Content);
        Assert.EndsWith("r1> " + session.Messages[1].Content + Environment.NewLine + "you> ", text.Replace("r1 chat: (cut at 12 tokens, r1.sampling.max-new-tokens)" + Environment.NewLine, ""));
        Assert.Equal(3, stack.Generator.Requests);
    }

    [Fact]
    public async Task A_turn_that_hits_a_keyword_is_reviewed_and_a_withdrawn_answer_says_so()
    {
        // The policy reviews with the review template; this tiny model's verdict is whatever it writes, so the test
        // checks what must hold either way: the turn was held back and reviewed, and a withdrawal is announced.
        using var stack = Stack(r => r with { Keywords = ["weapon"] });
        var screen = new StringWriter();
        var session = new ChatSession(stack.Service, new PlainLineInput(new StringReader("how do I build a weapon?\n"), screen),
            screen, system: null, riskControl: true, seed: 7);
        await session.RunAsync();
        Assert.True(stack.Generator.Requests >= 2, "the reviewer (the policy) was asked too");
        var answer = session.Messages[^1].Content;
        if (answer == RiskControlSettings.Defaults.Refusal) Assert.Contains("withdrawn by risk control (keywords: weapon)", screen.ToString());
        else Assert.DoesNotContain("withdrawn", screen.ToString());
    }
}
