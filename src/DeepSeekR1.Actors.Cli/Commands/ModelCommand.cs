using System.CommandLine;
using System.Text.Json;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 model info</c>: the effective model shape and its parameter counts.</summary>
public static class ModelCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Command("model", "Inspect the policy model");
        var info = new Command("info", "Print the effective model configuration and parameter counts as JSON").WithConfigOptions();
        info.SetAction(parse => Model.TensorKeepAlive.Run(() =>
        {
            var config = CommonOptions.Load(parse);
            var runtime = PolicyFactory.Start(config);
            using var policy = PolicyFactory.CreateRandom(config, runtime);
            long total = policy.parameters().Sum(p => p.numel());
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                config = policy.Config,
                tokenizer = runtime.Tokenizer.Name,
                parameters = total,
                active_parameters = policy.ActiveParameters(),
                device = policy.Device.ToString(),
            }, HumanJson.IndentedSnakeCase));
            return 0;
        }));
        model.Subcommands.Add(info);
        return model;
    }
}
