using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Optim;
using DeepSeekR1.Actors.Rl.Sft;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Sft;

public class SftTrainerTests
{
    private static readonly SftExample[] Data =
    [
        TinyPolicy.Example([3, 4], [10, 11, 12, 2]),
        TinyPolicy.Example([5, 6], [13, 14, 15, 2]),
        TinyPolicy.Example([7, 8, 9], [16, 17, 2]),
        TinyPolicy.Example([4, 3], [18, 19, 20, 21, 2]),
    ];

    [Fact]
    public void A_few_steps_on_a_tiny_fixed_dataset_lower_the_loss()
    {
        using var model = TinyPolicy.Create();
        var settings = SftSettings.Defaults with { LearningRate = 1e-2, BatchSize = 2, Steps = 40, WarmupSteps = 2, WeightDecay = 0, LogEvery = 10 };
        var reports = new List<SftProgress>();
        var result = SftTrainer.Train(model, Data, settings, reports.Add);

        Assert.Equal(40, result.Steps);
        Assert.Equal(0, result.SkippedSteps);
        Assert.Equal([10L, 20, 30, 40], reports.Select(r => r.Step));
        Assert.True(result.FinalLoss < result.FirstLoss * 0.3, $"loss {result.FirstLoss} -> {result.FinalLoss}");
        Assert.True(reports[^1].Loss < reports[0].Loss);
        Assert.All(reports, r => Assert.True(r.TokensPerSecond > 0));
        Assert.Equal(result.Tokens, reports[^1].Tokens);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        double FinalLoss(long seed)
        {
            using var model = TinyPolicy.Create();
            return SftTrainer.Train(model, Data, SftSettings.Defaults with { LearningRate = 5e-3, BatchSize = 2, Steps = 6, Seed = seed }).FinalLoss;
        }
        Assert.Equal(FinalLoss(1), FinalLoss(1));
    }

    // A bfloat16 run resumes exactly only with its float32 masters: the weights file holds their rounded values.
    [Theory]
    [InlineData(ModelDtype.Float32)]
    [InlineData(ModelDtype.Bfloat16)]
    public void A_run_resumed_from_its_resume_point_ends_with_the_weights_of_a_run_never_stopped(ModelDtype dtype)
    {
        var settings = SftSettings.Defaults with { LearningRate = 5e-3, BatchSize = 2, Steps = 8, WarmupSteps = 2, ResumeEvery = 3, LogEvery = 1 };
        using var whole = TinyPolicy.Create(dtype: dtype);
        SftTrainer.Train(whole, Data, settings);

        // The first run writes resume points at steps 3 and 6 and is "killed" after step 4 (cancelled).
        string folder = Directory.CreateTempSubdirectory("r1-sft-resume-").FullName;
        string optimizerFile = Path.Combine(folder, "optimizer.bin");
        try
        {
            var points = new List<long>();
            using var cancel = new CancellationTokenSource();
            using (var first = TinyPolicy.Create(dtype: dtype))
            {
                var resume = new SftResume(0, null, (step, optimizer, masters) =>
                {
                    points.Add(step);
                    first.save(Path.Combine(folder, "weights.bin"));
                    optimizer.save_state_dict(optimizerFile);
                    Assert.Equal(dtype == ModelDtype.Bfloat16, masters.SaveBeside(optimizerFile) is not null);
                });
                var stopped = SftTrainer.Train(first, Data, settings, p => { if (p.Step >= 4) cancel.Cancel(); },
                    cancel.Token, resume);
                Assert.True(stopped.Steps < settings.Steps);
            }
            Assert.Equal([3L], points);

            using var second = TinyPolicy.Create(seed: 99, dtype: dtype);   // other initial weights: the resume point must replace them
            second.load(Path.Combine(folder, "weights.bin"));
            var resumed = SftTrainer.Train(second, Data, settings, resume: new SftResume(3, (o, m) => { o.load_state_dict(optimizerFile); m.LoadBeside(optimizerFile); }, null));
            Assert.Equal(settings.Steps, resumed.Steps);
            foreach (var ((name, a), (_, b)) in whole.named_parameters().Zip(second.named_parameters()))
            {
                Assert.Equal(a.dtype, b.dtype);
                Assert.True(a.to_type(ScalarType.Float32).allclose(b.to_type(ScalarType.Float32), rtol: 1e-5, atol: 1e-6), $"{name} differs after the resumed run");
            }
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_bfloat16_resume_point_without_its_master_weights_is_refused_naming_the_file()
    {
        var settings = SftSettings.Defaults with { LearningRate = 5e-3, BatchSize = 2, Steps = 4, WarmupSteps = 1, LogEvery = 1 };
        string folder = Directory.CreateTempSubdirectory("r1-sft-resume-").FullName;
        string optimizerFile = Path.Combine(folder, "optimizer.bin");
        try
        {
            using var model = TinyPolicy.Create(dtype: ModelDtype.Bfloat16);
            var e = Assert.Throws<CheckpointException>(() => SftTrainer.Train(model, Data, settings,
                resume: new SftResume(2, (o, m) => m.LoadBeside(optimizerFile), null)));
            Assert.Equal(MasterWeights.PathBeside(optimizerFile), e.Path);
            Assert.Contains("master weights are missing", e.Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Batch_order_is_a_seeded_permutation_per_epoch()
    {
        var examples = Enumerable.Range(0, 10).Select(i => TinyPolicy.Example([i + 3], [2])).ToArray();
        var a = new ShuffledBatches(examples, 4, seed: 5);
        var b = new ShuffledBatches(examples, 4, seed: 5);
        var c = new ShuffledBatches(examples, 4, seed: 6);
        Assert.Equal(3, a.BatchesPerEpoch);

        int[] Epoch(ShuffledBatches s, int epoch) =>
            Enumerable.Range(epoch * 3, 3).SelectMany(step => s.BatchAt(step)).Select(e => e.PromptIds[0] - 3).ToArray();
        Assert.Equal(Epoch(a, 0), Epoch(b, 0));
        Assert.Equal(Enumerable.Range(0, 10), Epoch(a, 0).Order());
        Assert.Equal(Enumerable.Range(0, 10), Epoch(a, 1).Order());
        Assert.NotEqual(Epoch(a, 0), Epoch(a, 1));
        Assert.NotEqual(Epoch(a, 0), Epoch(c, 0));
        Assert.Equal(2, a.BatchAt(2).Count);   // the last batch of an epoch is short
    }

    [Fact]
    public void Steps_default_to_whole_epochs()
    {
        Assert.Equal(6, SftTrainer.TotalSteps(SftSettings.Defaults with { BatchSize = 4, Epochs = 2 }, 10));
        Assert.Equal(7, SftTrainer.TotalSteps(SftSettings.Defaults with { BatchSize = 4, Epochs = 2, Steps = 7 }, 10));
    }
}
