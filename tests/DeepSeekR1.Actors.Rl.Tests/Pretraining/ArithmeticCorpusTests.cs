using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Analysis;
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

public class ArithmeticCorpusReflectionTests
{
    [Fact]
    public void Checking_documents_check_the_hasty_work_in_columns_and_catch_exactly_the_planted_slips()
    {
        var settings = new CorpusSettings { Seed = 5, CarefulShare = 0.2, ReflectShare = 0.5, ReflectSlipShare = 0.5, LevelWeights = [1, 1, 1, 1, 1], Task = TaskCatalog.Sums };
        var corpus = new ArithmeticCorpus(settings);
        var docs = Enumerable.Range(0, 2000).Select(i => corpus.DocumentAt(i)).ToArray();
        var checking = docs.Where(d => d.Reflection != CorpusReflection.None).ToArray();
        // Half of the hasty 80 % check themselves, half of those catch a slip.
        Assert.InRange(checking.Length / 2000.0, 0.36, 0.44);
        Assert.InRange(checking.Count(d => d.Reflection == CorpusReflection.Corrects) / (double)checking.Length, 0.45, 0.55);
        foreach (var doc in checking)
        {
            Assert.False(doc.IsCareful);
            Assert.False(doc.IsWrong);
            Assert.Equal(doc.Item.Gold, doc.FinalAnswer);              // the answer is the checked value
            Assert.Equal(1.0, FormatReward.Score(doc.Completion).Value);
            Assert.Contains(", let me check: ", doc.Completion);
            string think = FormatReward.ThinkContent(doc.Completion)!.Trim();
            string hasty = think[..think.IndexOf(", let me check: ", StringComparison.Ordinal)];
            string hastyResult = hasty[(hasty.LastIndexOf("= ", StringComparison.Ordinal) + 2)..];
            if (doc.Reflection == CorpusReflection.Corrects)
            {
                Assert.NotEqual(doc.Item.Gold, hastyResult);
                Assert.EndsWith($", wait, {hastyResult} was wrong", think);
            }
            else
            {
                Assert.Equal(doc.Item.Gold, hastyResult);
                Assert.EndsWith($", {doc.Item.Gold} is right", think);
                Assert.DoesNotContain("wait", think);
            }
        }
        // Nothing else in the corpus reflects: a base model learns to check only from these documents.
        Assert.All(docs.Where(d => d.Reflection == CorpusReflection.None), d => Assert.False(ReflectiveWords.Contains(d.Completion), d.Completion));
    }

    [Fact]
    public void A_corpus_without_checking_documents_is_the_one_made_before_they_existed()
    {
        // The shipped base-tiny was pretrained on this stream (careful-share 0.4, level 2): its first documents, pinned.
        var corpus = new ArithmeticCorpus(new CorpusSettings { WrongShare = 0, CarefulShare = 0.4, LevelWeights = [0, 1, 0, 0, 0] });
        var withChecks = new ArithmeticCorpus(corpus.Settings with { ReflectShare = 0.3 });
        for (int i = 0; i < 300; i++)
        {
            var a = corpus.DocumentAt(i);
            var b = withChecks.DocumentAt(i);
            Assert.Equal(a.Item, b.Item);
            Assert.Equal(CorpusReflection.None, a.Reflection);
            if (b.Reflection == CorpusReflection.None) Assert.Equal(a, b);
        }
        Assert.Equal(PinnedCompletions, Enumerable.Range(0, PinnedCompletions.Length).Select(i => corpus.DocumentAt(i).Completion));
    }

    [Fact]
    public void A_sums_corpus_answers_the_sums_tasks_training_questions_at_the_weighted_levels()
    {
        var corpus = new ArithmeticCorpus(new CorpusSettings { Task = TaskCatalog.Sums, WrongShare = 0, LevelWeights = [0, 0, 1, 0, 1] });
        var test = new SumsTask().Items(TaskSplit.Test, 1).Take(5000).Select(i => i.Id).ToHashSet();
        var docs = Enumerable.Range(0, 400).Select(i => corpus.DocumentAt(i)).ToArray();
        Assert.All(docs, d => Assert.StartsWith("sums-l", d.Item.Id));
        Assert.All(docs, d => Assert.DoesNotContain(d.Item.Id, test));
        Assert.Equal([3, 5], docs.Select(d => d.Item.Level).Distinct().Order());
        Assert.All(docs, d => Assert.Equal(d.Item.Gold, d.FinalAnswer));
    }

    [Fact]
    public void Practice_documents_ask_for_the_columns_outright_and_leave_the_other_documents_as_they_were()
    {
        var settings = new CorpusSettings { Seed = 8, WrongShare = 0, CarefulShare = 0.1, ReflectShare = 0.1, Task = TaskCatalog.Sums, LevelWeights = [1, 1, 1, 1, 1] };
        var corpus = new ArithmeticCorpus(settings with { PracticeShare = 0.4 });
        var without = new ArithmeticCorpus(settings);
        int practice = 0;
        for (int i = 0; i < 1000; i++)
        {
            var doc = corpus.DocumentAt(i);
            var plain = without.DocumentAt(i);
            if (!doc.IsPractice)
            {
                Assert.Equal(plain, doc);
                continue;
            }
            practice++;
            string expression = plain.Item.Question[(plain.Item.Question.IndexOfAny("0123456789".ToCharArray()))..].TrimEnd('?', '.');
            Assert.Equal($"Work out {expression} column by column.", doc.Item.Question);
            Assert.Equal(plain.Item with { Question = doc.Item.Question }, doc.Item);
            Assert.Equal(PromptTemplates.R1Zero(doc.Item.Question), doc.Prompt);
            Assert.True(doc.IsCareful);
            Assert.Equal(CorpusReflection.None, doc.Reflection);
            Assert.Equal(doc.Item.Gold, doc.FinalAnswer);
            Assert.EndsWith($" = {doc.Item.Gold} </think> <answer> {doc.Item.Gold} </answer>", doc.Completion);
            if (doc.Item.Level >= 2) Assert.True(doc.Completion.Split(',').Length >= doc.Item.Level + 1, doc.Completion);
        }
        Assert.InRange(practice, 350, 450);
    }

    [Fact]
    public void A_task_the_corpus_cannot_write_is_refused_with_its_key()
    {
        var e = Assert.Throws<ArgumentException>(() => new ArithmeticCorpus(new CorpusSettings { Task = TaskCatalog.Countdown }));
        Assert.Equal(nameof(CorpusSettings.Task), e.ParamName);
        Assert.Throws<ArgumentException>(() => new ArithmeticCorpus(new CorpusSettings { ReflectShare = 1.5 }));
    }

    private static readonly string[] PinnedCompletions =
    [
        " <think> 34 + 38 = 72 </think> <answer> 72 </answer>",
        " <think> 10 - 1 = 9, 9 - 1 - 3 = 5, 90 - 31 = 59, 31 - 90 = -59 </think> <answer> -59 </answer>",
        " <think> 66 + 57 = 123 </think> <answer> 123 </answer>",
        " <think> 0 + 1 = 1, 8 + 7 = 15, 80 + 71 = 151 </think> <answer> 151 </answer>",
    ];
}
