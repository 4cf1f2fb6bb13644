using System.CommandLine;
using DeepSeekR1.Actors.Cli;
using DeepSeekR1.Actors.Cli.Commands;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;

// --verbose (anywhere on the command line) adds the stack trace to an error; without it an error is one line.
bool verbose = args.Contains("--verbose");
TrainCommand.CommandLine = args;   // as given: a supervised engine gets --verbose too
args = args.Where(a => a != "--verbose").ToArray();
// An exception on a thread of our own (not the command's) would otherwise abort with SIGABRT and a stack trace.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine($"r1: fatal error: {(e.ExceptionObject is Exception x ? ErrorText.Describe(x, verbose) : e.ExceptionObject)}");
    Console.Error.Flush();
    Environment.Exit(ErrorText.FaultExitCode);
};
var root = new RootCommand("r1: GRPO training of reasoning language models the DeepSeek-R1 way, on Akka.NET and TorchSharp");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ChatCommand.Create());
root.Subcommands.Add(SampleCommand.Create());
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(DistillCommand.Create());
root.Subcommands.Add(PipelineCommand.Create());
root.Subcommands.Add(SftCommand.Create());
root.Subcommands.Add(RmCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(SafetyCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(RewardCommand.Create());
root.Subcommands.Add(TokenizerCommand.Create());
root.Subcommands.Add(ModelCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(PbmCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(JournalCommand.Create());
root.Subcommands.Add(NodeCommand.Create());
root.Subcommands.Add(ConfigCommand.Create());

try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (ConfigException e)
{
    Console.Error.WriteLine($"r1: configuration error: {e.Message}");
    return 2;
}
catch (DeepSeekR1.Actors.Engine.Hosting.RunFaultedException e)
{
    Console.Error.WriteLine($"r1: run faulted: {e.Message}");
    Console.Error.WriteLine("r1: the journal is as it was; the same command resumes the run once the cause is fixed");
    return ErrorText.FaultExitCode;
}
catch (DeepSeekR1.Actors.Cli.Commands.RunStoppedBySignalException e)
{
    Console.Error.WriteLine($"r1 train: {e.Message}; resume with: {e.ResumeCommand}");
    return e.ExitCode;
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
catch (Exception e) when (ErrorText.IsBadInput(e))
{
    Console.Error.WriteLine($"r1: bad input: {ErrorText.Describe(e, verbose)}");
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"r1: error: {ErrorText.Describe(e, verbose)}");
    return ErrorText.FaultExitCode;
}
