using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Pretraining;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Pretraining;

public partial class ArithmeticCorpusTests
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    [GeneratedRegex(@"^ <think> -?\d+ [-+*] -?\d+ = -?\d+(, -?\d+ [-+*] -?\d+ = -?\d+)* </think> <answer> (-?\d+) </answer>$")]
    private static partial Regex CompletionShape();

    [Fact]
    public void The_same_settings_give_the_same_documents()
    {
        var a = new ArithmeticCorpus(new CorpusSettings { Seed = 3 });
        var b = new ArithmeticCorpus(new CorpusSettings { Seed = 3 });
        var c = new ArithmeticCorpus(new CorpusSettings { Seed = 4 });
        var first = Enumerable.Range(0, 50).Select(i => a.DocumentAt(i)).ToArray();
        Assert.Equal(first, Enumerable.Range(0, 50).Select(i => b.DocumentAt(i)));
        Assert.NotEqual(first.Select(d => d.Prompt), Enumerable.Range(0, 50).Select(i => c.DocumentAt(i).Prompt));
        Assert.Equal(first[17], a.DocumentAt(17));   // random access gives the streamed document
    }

    [Fact]
    public void Documents_have_the_exact_r1_zero_shape_and_come_from_the_training_split()
    {
        var corpus = new ArithmeticCorpus(new CorpusSettings { Seed = 11, WrongShare = 0.5 });
        for (int i = 0; i < 300; i++)
        {
            var doc = corpus.DocumentAt(i);
            Assert.Equal(PromptTemplates.R1Zero(doc.Item.Question), doc.Prompt);
            Assert.EndsWith(". Assistant:", doc.Prompt);
            var match = CompletionShape().Match(doc.Completion);
            Assert.True(match.Success, $"document {i}: '{doc.Completion}'");
            Assert.Equal(doc.FinalAnswer, match.Groups[2].Value);
            Assert.Equal(1.0, FormatReward.Score(doc.Completion).Value);
            Assert.Equal(doc.IsWrong, doc.FinalAnswer != doc.Item.Gold);
            Assert.Equal(TaskSplit.Train, SplitAssignment.Of("arithmetic:" + Expression(doc.Item.Question)));
        }
    }

    // The printed expression inside one of ArithmeticTask's question templates.
    private static string Expression(string question)
    {
        string[] openings = ["What is the value of ", "What is ", "Calculate ", "Compute ", "Evaluate "];
        string body = question[openings.First(question.StartsWith).Length..];
        return body[..^1];
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.6)]
    [InlineData(1.0)]
    public void The_wrong_answer_share_is_what_the_settings_say(double share)
    {
        var corpus = new ArithmeticCorpus(new CorpusSettings { WrongShare = share });
        var docs = Enumerable.Range(0, 2000).Select(i => corpus.DocumentAt(i)).ToArray();
        // Judge wrongness by the answer itself, with the reward's own checker, not by the flag.
        double observed = docs.Count(d => MathAnswer.AreEquivalent(d.FinalAnswer, d.Item.Gold).Value < 1) / 2000.0;
        Assert.InRange(observed, share - 0.035, share + 0.035);
        Assert.All(docs, d => Assert.Equal(d.IsWrong, MathAnswer.AreEquivalent(d.FinalAnswer, d.Item.Gold).Value < 1));
    }

    [Theory]
    [InlineData(SlipSite.Answer)]
    [InlineData(SlipSite.LastStep)]
    public void A_slip_sits_in_the_answer_after_right_steps_or_in_the_last_step(SlipSite site)
    {
        var corpus = new ArithmeticCorpus(new CorpusSettings { Seed = 5, WrongShare = 1, SlipAt = site });
        var right = new ArithmeticCorpus(new CorpusSettings { Seed = 5, WrongShare = 0 });
        for (int i = 0; i < 200; i++)
        {
            var doc = corpus.DocumentAt(i);
            var match = CompletionShape().Match(doc.Completion);
            Assert.True(match.Success, doc.Completion);
            // The think part's last result, after its last '='.
            string think = doc.Completion.Split("</think>")[0];
            string thinkResult = think[(think.LastIndexOf('=') + 1)..].Trim();
            Assert.NotEqual(doc.Item.Gold, doc.FinalAnswer);
            if (site == SlipSite.Answer)
            {
                Assert.Equal(doc.Item.Gold, thinkResult);                                  // the reasoning is right
                Assert.Equal(right.DocumentAt(i).Completion.Split("</think>")[0], doc.Completion.Split("</think>")[0]);
            }
            else
            {
                Assert.Equal(doc.FinalAnswer, thinkResult);                                 // the answer copies a wrong step
            }
        }
    }

    [Fact]
    public void Changing_the_share_keeps_the_questions()
    {
        var right = new ArithmeticCorpus(new CorpusSettings { WrongShare = 0 });
        var wrong = new ArithmeticCorpus(new CorpusSettings { WrongShare = 1 });
        for (int i = 0; i < 40; i++) Assert.Equal(right.DocumentAt(i).Item, wrong.DocumentAt(i).Item);
    }

    [Fact]
    public void Level_weights_choose_the_levels()
    {
        var onlyTwo = new ArithmeticCorpus(new CorpusSettings { LevelWeights = [0, 1, 0, 0, 0] });
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(2, onlyTwo.DocumentAt(i).Item.Level));
        var mixed = new ArithmeticCorpus(new CorpusSettings { LevelWeights = [3, 1, 0, 0, 0] });
        int ones = Enumerable.Range(0, 2000).Count(i => mixed.DocumentAt(i).Item.Level == 1);
        Assert.InRange(ones, 1400, 1600);
    }

    [Fact]
    public void Prompt_encodes_as_the_shared_prefix_followed_by_the_suffix()
    {
        var prefixIds = Tokenizer.Encode(ArithmeticCorpus.SharedPrefix);
        var corpus = new ArithmeticCorpus(new CorpusSettings());
        for (int i = 0; i < 100; i++)
        {
            var doc = corpus.DocumentAt(i);
            Assert.Equal(Tokenizer.Encode(doc.Prompt), prefixIds.Concat(Tokenizer.Encode(ArithmeticCorpus.PromptSuffix(doc.Prompt))));
        }
    }

    [Fact]
    public void Completions_of_levels_1_to_4_stay_under_60_tokens()
    {
        var corpus = new ArithmeticCorpus(new CorpusSettings { LevelWeights = [1, 1, 1, 1, 1] });
        var lengths = Enumerable.Range(0, 500).Select(i => corpus.DocumentAt(i))
            .Select(d => (d.Item.Level, Tokens: Tokenizer.Encode(d.Completion).Count + 1)).ToArray();
        Assert.All(lengths.Where(l => l.Level <= 4), l => Assert.True(l.Tokens < 60, $"level {l.Level}: {l.Tokens} tokens"));
        // Level 5 (four 3-4 digit operands, products of up to eight digits) needs about 80 tokens; the others stay short.
        Assert.True(lengths.Where(l => l.Level <= 4).Average(l => l.Tokens) < 35);
        Assert.True(lengths.Where(l => l.Level == 5).Max(l => l.Tokens) < 110);
    }
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void Careful_documents_work_in_columns_are_always_right_and_keep_the_questions(double share)
    {
        var settings = new CorpusSettings { Seed = 9, WrongShare = 0.5, CarefulShare = share, LevelWeights = [1, 4, 1, 0, 0] };
        var corpus = new ArithmeticCorpus(settings);
        var hastyOnly = new ArithmeticCorpus(settings with { CarefulShare = 0 });
        var docs = Enumerable.Range(0, 1000).Select(i => corpus.DocumentAt(i)).ToArray();
        Assert.InRange(docs.Count(d => d.IsCareful) / 1000.0, share - 0.05, share + 0.05);
        for (int i = 0; i < docs.Length; i++)
        {
            var doc = docs[i];
            var hasty = hastyOnly.DocumentAt(i);
            Assert.Equal(hasty.Item, doc.Item);
            Assert.Equal(1.0, FormatReward.Score(doc.Completion).Value);
            if (!doc.IsCareful)
            {
                Assert.Equal(hasty, doc);                 // a hasty document is exactly the one made without careful ones
                continue;
            }
            Assert.False(doc.IsWrong);
            Assert.Equal(doc.Item.Gold, doc.FinalAnswer);
            Assert.EndsWith($" = {doc.Item.Gold} </think> <answer> {doc.Item.Gold} </answer>", doc.Completion);
            // A two-digit sum or difference shows its columns before the whole step.
            if (doc.Item.Level == 2) Assert.True(doc.Completion.Split(',').Length >= 3, doc.Completion);
        }
    }
}
