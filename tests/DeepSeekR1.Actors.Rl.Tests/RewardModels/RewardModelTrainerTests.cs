using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Safety;

namespace DeepSeekR1.Actors.Rl.Tests.RewardModels;

/// <summary>Reward-model training on the shipped tiny base model and the toy data sets (short runs).</summary>
public class RewardModelTrainerTests
{
    private static readonly string BaseModel = RepositoryPaths.Resolve("models/base-tiny")!;

    private static RewardModelSettings Short(int steps) => RewardModelSettings.Defaults with
    {
        Steps = steps, BatchSize = 8, LearningRate = 3e-4, WarmupSteps = 5, LogEvery = 10, HeldOutShare = 0.2,
    };

    [Fact]
    public void Helpfulness_training_on_toy_pairs_lowers_the_loss_and_ranks_held_out_pairs_above_chance()
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(BaseModel);
        var settings = Short(60);
        var pairs = ToyPreferences.Generate(600, 11).ToList();
        var (train, heldOut) = HeldOutSplit.Split(pairs, p => p.Prompt, settings.HeldOutShare, settings.Seed);
        EncodedPair Encode(PreferencePair p) => new(RewardModelInput.Encode(tokenizer, p.Prompt, p.Chosen, settings.MaxSeqLen),
            RewardModelInput.Encode(tokenizer, p.Prompt, p.Rejected, settings.MaxSeqLen));
        using var model = new RewardModel(PolicyCheckpoint.Load(BaseModel), RewardModelKind.Helpfulness);
        var held = heldOut.Select(Encode).ToList();
        Assert.True(held.Count >= 60, $"{held.Count} held-out pairs");

        double before = RewardModelTrainer.PairwiseAccuracy(model, held, 32);
        var result = RewardModelTrainer.TrainPreferences(model, train.Select(Encode).ToList(), settings);
        double after = RewardModelTrainer.PairwiseAccuracy(model, held, 32);

        Assert.Equal(0, before);   // a zero head scores every sequence alike: every pair is a tie
        Assert.Equal(Math.Log(2), result.FirstLoss, 4);
        Assert.True(result.FinalLoss < 0.8 * Math.Log(2), $"loss {result.FirstLoss:F4} -> {result.FinalLoss:F4}");
        Assert.True(after > 0.65, $"held-out pairwise accuracy {after:F3} on {held.Count} pairs");
    }

    [Fact]
    public void Safety_training_is_point_wise_and_classifies_held_out_responses_above_chance()
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(BaseModel);
        var settings = Short(80) with { HeldOutShare = 0.3 };
        var set = ToySafetySet.TrainingSet(5);
        var (train, heldOut) = HeldOutSplit.Split(set, s => s.Prompt, settings.HeldOutShare, settings.Seed);
        EncodedLabel Encode(SafetyExample s) => new(RewardModelInput.Encode(tokenizer, s.Prompt, s.Response, settings.MaxSeqLen), s.Safe);
        using var model = new RewardModel(PolicyCheckpoint.Load(BaseModel), RewardModelKind.Safety);
        var result = RewardModelTrainer.TrainSafety(model, train.Select(Encode).ToList(), settings);
        var held = heldOut.Select(Encode).ToList();
        double accuracy = RewardModelTrainer.ClassificationAccuracy(model, held, 32);
        double majority = Math.Max(held.Count(h => h.Safe), held.Count(h => !h.Safe)) / (double)held.Count;

        Assert.Equal(Math.Log(2), result.FirstLoss, 4);
        Assert.True(result.FinalLoss < 0.7 * Math.Log(2), $"loss {result.FirstLoss:F4} -> {result.FinalLoss:F4}");
        Assert.True(accuracy > majority + 0.1, $"held-out accuracy {accuracy:F3} vs majority class {majority:F3} on {held.Count}");
    }

    [Fact]
    public void A_model_of_the_wrong_kind_is_refused()
    {
        using var model = new RewardModel(new Model.Policy.PolicyModel(Sft.TinyPolicy.Config()), RewardModelKind.Safety);
        Assert.Throws<ArgumentException>(() => RewardModelTrainer.TrainPreferences(model, [new EncodedPair([3, 2], [4, 2])], Short(1)));
    }

    [Fact]
    public void The_held_out_split_keeps_every_prompt_on_one_side()
    {
        var items = Enumerable.Range(0, 400).Select(i => (Prompt: $"p{i % 50}", Index: i)).ToList();
        var (train, held) = HeldOutSplit.Split(items, x => x.Prompt, 0.2, 9);
        Assert.Empty(train.Select(t => t.Prompt).Intersect(held.Select(h => h.Prompt)));
        Assert.InRange(held.Select(h => h.Prompt).Distinct().Count(), 3, 20);
    }
}
