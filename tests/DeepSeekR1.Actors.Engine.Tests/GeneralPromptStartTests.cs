using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// A run whose task has general prompts starts only with reward models that can score them: anything missing or wrong
/// stops <see cref="EngineHost.StartAsync"/> before a node exists, with the key and the path named.
/// </summary>
public sealed class GeneralPromptStartTests(TinyRewardModels models) : IClassFixture<TinyRewardModels>
{
    private static readonly GeneralPromptMix Mixed = new(new ArithmeticTask(), GeneralPromptMix.ToyPrompts(20, 1), ratio: 0.5, reasoningQuestions: 40);

    private static async Task<ConfigException> StartFails(ModelRewardSettings? settings, ITaskSource? task = null)
    {
        using var dir = new TempDir();
        var run = TinyRuns.Run(dir.Path) with { Task = task ?? Mixed, ModelRewards = settings };
        // A node that starts anyway is a failure of this test, not a test run that waits on it: it is left to the process's end.
        var start = Task.Run(() => EngineHost.StartAsync(run, dir.Path, TinyRuns.Overrides));
        try
        {
            await start.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (ConfigException e)
        {
            return e;
        }
        catch (TimeoutException) { }
        throw new Xunit.Sdk.XunitException("the engine started (or went on starting) a run with general prompts and no usable reward model");
    }

    private ModelRewardSettings Configured => ModelRewardSettings.Defaults with { Helpfulness = models.Helpfulness, Safety = models.Safety };

    [Fact]
    public async Task General_prompts_without_any_reward_model_settings_fail_at_start_naming_the_key()
    {
        var e = await StartFails(settings: null);
        Assert.Contains("r1.rewards.models.helpfulness", e.Message, StringComparison.Ordinal);
        Assert.Contains("arithmetic+general", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_defaults_name_no_checkpoint_so_general_prompts_fail_at_start()
    {
        var e = await StartFails(ModelRewardSettings.Defaults);
        Assert.Contains("r1.rewards.models.helpfulness names no checkpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_safety_checkpoint_fails_at_start_naming_the_key_and_the_path()
    {
        string missing = Path.Combine(models.Root, "gone");
        var e = await StartFails(Configured with { Safety = missing });
        Assert.Contains("r1.rewards.models.safety", e.Message, StringComparison.Ordinal);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_checkpoint_or_a_model_of_the_other_kind_is_refused_at_start()
    {
        string policy = PolicyCheckpoint.Save(TinyRuns.Policy(), Path.Combine(models.Root, "policy"), new CheckpointSaveOptions { Overwrite = true });
        var notModel = await StartFails(Configured with { Helpfulness = policy });
        Assert.Contains($"r1.rewards.models.helpfulness: '{Path.GetFullPath(policy)}' is not a reward-model checkpoint", notModel.Message, StringComparison.Ordinal);

        var swapped = await StartFails(Configured with { Helpfulness = models.Safety, Safety = models.Helpfulness });
        Assert.Contains("is a safety reward model, not a helpfulness one", swapped.Message, StringComparison.Ordinal);
    }

    // A copy of the helpfulness model whose folder carries the given tokenizer.json.
    private string WithTokenizerJson(string name, string json)
    {
        string copy = Path.Combine(models.Root, name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(models.Helpfulness)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)), overwrite: true);
        File.WriteAllText(Path.Combine(copy, "tokenizer.json"), json);
        return copy;
    }

    [Fact]
    public async Task A_reward_model_trained_with_another_tokenizer_is_refused_at_start_and_the_same_one_passes()
    {
        // The run's own tokenizer, as r1 rm train writes it beside the weights: accepted.
        string same = WithTokenizerJson("same-tokenizer", TinyRuns.Tokenizer.ToJson());
        Assert.NotNull(ModelRewardSettings.RequireFor(Mixed, Configured with { Helpfulness = same }, tokenizer: TinyRuns.Tokenizer));

        // The same vocabulary without its merges: every id of a word changes, the vocabulary size does not.
        var json = System.Text.Json.Nodes.JsonNode.Parse(TinyRuns.Tokenizer.ToJson())!;
        json["model"]!["merges"] = new System.Text.Json.Nodes.JsonArray();
        string other = WithTokenizerJson("other-tokenizer", json.ToJsonString());
        var e = await StartFails(Configured with { Helpfulness = other });
        Assert.Contains($"r1.rewards.models.helpfulness: '{Path.GetFullPath(other)}' was trained with another tokenizer than the run's", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task General_prompts_need_general_among_the_model_scored_kinds()
    {
        var e = await StartFails(Configured with { Kinds = ["math"] });
        Assert.Contains("r1.rewards.models.kinds does not list general", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("actor", "r1.rewards.models.helpfulness names no checkpoint")]
    [InlineData("inline", "only the actor engine hosts")]
    public async Task R1_train_with_general_prompts_and_no_reward_model_exits_2_naming_the_key(string engine, string expected)
    {
        using var dir = new TempDir();
        using var r1 = R1Process.Start(dir.Path, ["train", "--run-id", "general", "--data-dir", dir.Path, "--steps", "1",
            "--set", "r1.train.eval-limit=0", "--set", "r1.pbm.enabled=off", "--set", $"r1.train.engine={engine}", "--set", "r1.train.general-prompts=toy:20"]);

        Assert.Equal(2, await r1.WaitForExit(TimeSpan.FromSeconds(90)));
        Assert.Contains(r1.Lines, l => l.StartsWith("r1: ", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(dir.Path, "journal.db")), "refused before any node started");
    }

    [Fact]
    public void A_weight_of_zero_needs_no_checkpoint_and_a_reasoning_task_needs_none_at_all()
    {
        var helpfulOnly = ModelRewardSettings.RequireFor(Mixed, ModelRewardSettings.Defaults with { Helpfulness = models.Helpfulness, SafetyWeight = 0 });
        Assert.Equal(Path.GetFullPath(models.Helpfulness), helpfulOnly!.Helpfulness);
        Assert.Null(ModelRewardSettings.RequireFor(new ArithmeticTask(), ModelRewardSettings.Defaults));
        Assert.Null(ModelRewardSettings.RequireFor(new ArithmeticTask(), null));
    }
}
