using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Evaluation;

public class EvaluatorTests
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private static readonly TaskItem[] Items =
    [
        new("q-a", "What is 2 + 3?", "5", Level: 1),
        new("q-b", "What is 10 * 12?", "120", Level: 3),
        new("q-c", "Half of 7?", "3.5"),
    ];

    private static readonly EvalSettings Settings = EvalSettings.Defaults with { Samples = 2, MaxNewTokens = 6, BatchSize = 4, Seed = 7 };

    private static readonly RewardComposer Composer = new(RewardWeights.R1Zero, CountdownChecker.Check);

    private static PolicyModel TinyModel() => new(ModelConfig.Defaults with {
        VocabSize = Tokenizer.VocabSize,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumLayers = 2,
        NumHeads = 2,
        NumKvHeads = 1,
        MaxPositionEmbeddings = 512,
        EosTokenId = Tokenizer.EosId,
        PadTokenId = Tokenizer.PadId,
    }, seed: 3);

    [Fact]
    public void Samples_every_question_k_times_and_counts_right()
    {
        using var model = TinyModel();
        var progress = new List<(int Done, int Total)>();
        var report = Evaluator.Run(model, Tokenizer, Items, Settings, Composer, (done, total) => progress.Add((done, total)));

        Assert.Equal(2, report.Samples);
        Assert.Equal(3, report.Overall.Questions);
        Assert.Equal(6, report.Overall.Completions);
        Assert.Equal(["q-a", "q-b", "q-c"], report.Questions.Select(q => q.Id));
        Assert.All(report.Questions, q => Assert.Equal(2, q.Samples.Count));
        Assert.All(report.Questions.SelectMany(q => q.Samples), s =>
        {
            Assert.InRange(s.Tokens, 1, Settings.MaxNewTokens);
            Assert.Equal(s.Tokens < Settings.MaxNewTokens, s.Finish == Model.Sampling.FinishReason.Stop);
            Assert.DoesNotContain(BuiltinTokenizer.EosToken, s.Text);
        });
        Assert.Equal([(4, 6), (6, 6)], progress);
        // An untrained model answers nothing correctly, so every figure that counts success is 0.
        Assert.Equal(0, report.Overall.PassAt1);
        Assert.Equal(0, report.Overall.ConsAtK);
        Assert.Equal(report.Questions.SelectMany(q => q.Samples).Average(s => s.Tokens), report.Overall.MeanCompletionTokens, 12);
    }

    [Fact]
    public void Breaks_down_by_level_with_zero_for_items_without_one()
    {
        using var model = TinyModel();
        var report = Evaluator.Run(model, Tokenizer, Items, Settings, Composer);
        Assert.Equal([0, 1, 3], report.ByLevel.Keys);
        Assert.All(report.ByLevel.Values, level => Assert.Equal(1, level.Questions));
        Assert.Equal(2, report.ByLevel[3].Completions);
    }

    [Fact]
    public void The_same_seed_reproduces_the_report_whatever_the_batch_size_and_another_seed_differs()
    {
        using var model = TinyModel();
        var first = Evaluator.Run(model, Tokenizer, Items, Settings, Composer);
        var rebatched = Evaluator.Run(model, Tokenizer, Items, Settings with { BatchSize = 1 }, Composer);
        var reseeded = Evaluator.Run(model, Tokenizer, Items, Settings with { Seed = 8 }, Composer);

        static string[] Texts(EvalReport r) => r.Questions.SelectMany(q => q.Samples).Select(s => s.Text).ToArray();
        Assert.Equal(Texts(first), Texts(rebatched));
        Assert.Equal(first.Overall, rebatched.Overall);
        Assert.NotEqual(Texts(first), Texts(reseeded));
        // The two samples of a question draw from different streams.
        Assert.NotEqual(first.Questions[0].Samples[0].Text, first.Questions[0].Samples[1].Text);
    }
}
