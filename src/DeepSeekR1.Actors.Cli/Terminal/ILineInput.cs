namespace DeepSeekR1.Actors.Cli.Terminal;

/// <summary>
/// Where an interactive prompt (the pbm shell, <c>r1 chat</c>) gets its lines: a line editor on a terminal, plain lines
/// from a pipe or a test. The prompt is written by the input, because a line editor has to redraw it.
/// </summary>
public interface ILineInput
{
    /// <summary>Shows <paramref name="prompt"/> and reads one line; null at the end of the input (Ctrl+D, end of file).</summary>
    Task<string?> ReadLineAsync(string prompt, CancellationToken cancellation);

    /// <summary>Clears the screen where there is one (the <c>clear</c> command); a pipe gets nothing.</summary>
    void Clear();
}
