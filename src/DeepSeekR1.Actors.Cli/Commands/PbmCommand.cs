using System.CommandLine;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Cli.Pbm;
using DeepSeekR1.Actors.Cli.Terminal;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 pbm HOST:PORT [PALETTE COMMAND [--options]]</c>: the client of a node's command host (docs/pbm.md). With a
/// command it runs it once; without, it opens an interactive prompt. The palettes and commands are the host's: the
/// client learns them by asking.
/// </summary>
public static class PbmCommand
{
    private static readonly Argument<string> Endpoint = new("endpoint") { Description = "HOST:PORT of a node's command host (`r1 train` prints it; 127.0.0.1:9110 by default)" };
    private static readonly Option<string?> Token = new("--token") { Description = "The host's token (else $R1_PBM_TOKEN, else --token-file, else r1.pbm.token, else DATA_DIR/pbm.token)" };
    private static readonly Option<string?> TokenFile = new("--token-file") { Description = "A file holding the token, such as the DATA_DIR/pbm.token a node writes when it generates one" };
    private static readonly Option<bool> Json = new("--json") { Description = "Answer in JSON, for scripts" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("pbm", "Inspect and operate a running node: cluster, sharding, runs (pause, resume, stop, metrics)") { Endpoint, Token, TokenFile, Json };
        command.WithConfigOptions();
        // Everything after the endpoint (palette, command, the command's options) belongs to the host to check.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => Execute(parse, Console.In, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Runs the client: one command when one is given, else the interactive prompt on <paramref name="input"/>.</summary>
    public static int Execute(ParseResult parse, TextReader input, TextWriter output, TextWriter error)
    {
        try
        {
            var endpoint = PbmEndpoint.Parse(parse.GetValue(Endpoint)!);
            var config = CommonOptions.Load(parse);
            var session = new PbmSession(endpoint, ResolveToken(parse, config), parse.GetValue(Json), output, error);
            // Ctrl+C ends the command in progress (a tail); at the prompt, or with nothing running, it ends the client.
            ConsoleCancelEventHandler onCancel = (_, e) => e.Cancel = session.CancelRunning();
            Console.CancelKeyPress += onCancel;
            try
            {
                var words = parse.UnmatchedTokens;
                var run = words.Count == 0 ? Shell(session, input, output).RunAsync() : session.RunAsync(words);
                return run.GetAwaiter().GetResult();
            }
            finally { Console.CancelKeyPress -= onCancel; }
        }
        catch (PbmClientException e)
        {
            error.WriteLine($"pbm: {e.Message}");
            return 1;
        }
    }

    // A line editor with history and completion on a terminal; plain lines from a pipe (or a test's reader).
    private static PbmShell Shell(PbmSession session, TextReader input, TextWriter output) =>
        ReferenceEquals(input, Console.In) && EditingLineInput.IsSupported()
            ? new PbmShell(session, palettes => new EditingLineInput(new PbmCompletion(palettes)), output)
            : new PbmShell(session, input, output);

    private static string? ResolveToken(ParseResult parse, R1Config config)
    {
        if (parse.GetValue(Token) is { Length: > 0 } token) return token;
        string variable = config.GetString("r1.pbm.token-env");
        if (variable.Length > 0 && Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnv) return fromEnv;
        if (parse.GetValue(TokenFile) is { } file)
            return File.Exists(file) ? File.ReadAllText(file).Trim() : throw new PbmClientException($"--token-file: '{file}' does not exist");
        if (config.GetString("r1.pbm.token") is { Length: > 0 } configured) return configured;
        // The file a node writes when it generates its token, in the data dir this client would use too.
        string generated = Path.Combine(config.GetString("r1.data-dir"), Engine.Pbm.PbmSettings.TokenFileName);
        return File.Exists(generated) ? File.ReadAllText(generated).Trim() : null;
    }
}
