using System.CommandLine;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;

var root = new RootCommand("r1: GRPO training of reasoning language models the DeepSeek-R1 way, on Akka.NET and TorchSharp");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(SftCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(RewardCommand.Create());
root.Subcommands.Add(TokenizerCommand.Create());
root.Subcommands.Add(ModelCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(PbmCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(JournalCommand.Create());
root.Subcommands.Add(NodeCommand.Create());

try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (ConfigException e)
{
    Console.Error.WriteLine($"r1: configuration error: {e.Message}");
    return 2;
}
catch (DeepSeekR1.Actors.Engine.Hosting.RunInterruptedException e)
{
    Console.Error.WriteLine($"r1: run interrupted: {e.Message}");
    return 4;
}
catch (NotSupportedException e)
{
    Console.Error.WriteLine($"r1: not supported: {e.Message}");
    return 3;
}
