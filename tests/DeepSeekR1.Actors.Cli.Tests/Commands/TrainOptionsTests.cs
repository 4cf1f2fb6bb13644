using System.CommandLine;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Cli.Tests.Commands;

/// <summary>`r1 train`'s shortcut options: each sets one HOCON key, through the same reader as --set, which still wins.</summary>
public sealed class TrainOptionsTests
{
    private static ParseResult Parse(params string[] args) => new RootCommand { TrainCommand.Create() }.Parse(["train", .. args]);

    private static (GrpoSettings Grpo, TrainSettings Train, long Seed) Effective(params string[] args)
    {
        var parse = Parse(args);
        Assert.Empty(parse.Errors);
        var config = CommonOptions.Load(parse, TrainCommand.ShortcutOverrides(parse));
        return (config.Bind<GrpoSettings>("r1.grpo"), config.Bind<TrainSettings>("r1.train"), config.GetLong("r1.seed"));
    }

    [Fact]
    public void Each_shortcut_sets_its_key()
    {
        var (grpo, train, seed) = Effective("--task", "math:data/math500/test.jsonl", "--init", "random", "--group-size", "4",
            "--lr", "3e-5", "--steps", "7", "--engine", "inline", "--seed", "99");
        Assert.Equal("math:data/math500/test.jsonl", grpo.Task);
        Assert.Equal("random", train.Init);
        Assert.Equal(4, grpo.GroupSize);
        Assert.Equal(3e-5, grpo.LearningRate);
        Assert.Equal(7, grpo.Steps);
        Assert.Equal("inline", train.Engine);
        Assert.Equal(99, seed);
    }

    [Fact]
    public void Without_the_options_the_hocon_defaults_stand_and_an_explicit_set_wins_over_a_shortcut()
    {
        var (defaults, _, _) = Effective();
        Assert.Equal(8, defaults.GroupSize);
        Assert.Equal("arithmetic:2", defaults.Task);

        var (grpo, _, _) = Effective("--group-size", "4", "--set", "r1.grpo.group-size=6");
        Assert.Equal(6, grpo.GroupSize);
    }

    [Fact]
    public void A_value_the_key_cannot_take_is_an_error_naming_the_key()
    {
        var parse = Parse("--group-size", "0");
        var config = CommonOptions.Load(parse, TrainCommand.ShortcutOverrides(parse));
        var error = Assert.ThrowsAny<Exception>(() => config.Bind<GrpoSettings>("r1.grpo").Validate());
        Assert.Contains("group-size", error.Message);
    }

    [Fact]
    public void Help_names_the_key_each_option_sets()
    {
        var help = new StringWriter();
        new RootCommand { TrainCommand.Create() }.Parse(["train", "--help"]).Invoke(new InvocationConfiguration { Output = help });
        foreach (var key in new[] { "r1.grpo.task", "r1.train.init", "r1.grpo.group-size", "r1.grpo.learning-rate", "r1.grpo.steps", "r1.train.engine", "r1.seed" })
            Assert.Contains(key, help.ToString());
    }
}
