using System.CommandLine;
using DeepSeekR1.Actors.Engine.Replay;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 journal export --run ID --out FILE.jsonl</c>: every event of a run as JSON lines (persistence id, sequence
/// number, offset, timestamp, manifest, type, version and the event itself), for analysis with other tools.
/// </summary>
public static class JournalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var run = new Option<string>("--run-id", "--run") { Description = "The run id, as r1 train --run-id takes it (--run also works)", Required = true };
        var file = new Option<string>("--out") { Description = "The JSON-lines file to write", Required = true };
        var export = new Command("export", "Write every event of a run as JSON lines, in journal order") { run, file };
        export.WithConfigOptions();
        export.SetAction(async (parse, cancellation) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            string runId = parse.GetValue(run)!;
            string path = parse.GetValue(file)!;
            var config = CommonOptions.Load(parse);
            string dataDir = config.GetString("r1.data-dir");
            // Written beside the target and moved over it: a failed export leaves no truncated file behind.
            string partial = path + ".partial";
            try
            {
                long count;
                await using (var reader = JournalReader.Open(dataDir, config.Root))
                await using (var stream = File.Create(partial))
                    count = await JournalExport.WriteJsonLinesAsync(reader, runId, stream, cancellation);
                if (count == 0)
                {
                    File.Delete(partial);
                    error.WriteLine($"r1 journal export: run '{runId}' has no events in the journal of {dataDir}");
                    return ReplayCommand.JournalError;
                }
                File.Move(partial, path, overwrite: true);
                output.WriteLine($"r1 journal export: {count} events of run {runId} written to {path}");
                return 0;
            }
            catch (Exception e) when (e is JournalReadException or FileNotFoundException)
            {
                File.Delete(partial);
                error.WriteLine($"r1 journal export: {e.Message}");
                return ReplayCommand.JournalError;
            }
        });
        var command = new Command("journal", "Read a run's journal");
        command.Subcommands.Add(export);
        return command;
    }
}
