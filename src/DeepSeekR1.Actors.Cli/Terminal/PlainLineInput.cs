namespace DeepSeekR1.Actors.Cli.Terminal;

/// <summary>Lines from a reader with the prompt written before each: a pipe, a script, or a test.</summary>
/// <param name="input">Where lines come from.</param>
/// <param name="output">Where the prompt goes.</param>
public sealed class PlainLineInput(TextReader input, TextWriter output) : ILineInput
{
    /// <inheritdoc />
    public async Task<string?> ReadLineAsync(string prompt, CancellationToken cancellation)
    {
        await output.WriteAsync(prompt);
        await output.FlushAsync(cancellation);
        return await input.ReadLineAsync(cancellation);
    }

    /// <inheritdoc />
    public void Clear() { }
}
