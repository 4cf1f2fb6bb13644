using RadLine;
using Spectre.Console;

namespace DeepSeekR1.Actors.Cli.Terminal;

/// <summary>
/// Lines typed on a terminal with editing (arrows, Home/End, Ctrl+arrows by word, Backspace/Delete), history on the
/// up and down arrows (the lines of this session), and Tab completion from <paramref name="completion"/>: RadLine's
/// line editor. Used only where <see cref="IsSupported"/> says the terminal can take it.
/// </summary>
/// <param name="completion">What Tab completes (null: nothing).</param>
/// <param name="console">The terminal (null: the process's console).</param>
/// <param name="source">Where keys come from (null: the keyboard); tests give scripted keys.</param>
public sealed class EditingLineInput(ITextCompletion? completion, IAnsiConsole? console = null, IInputSource? source = null) : ILineInput
{
    private readonly IAnsiConsole console = console ?? AnsiConsole.Console;
    private readonly CurrentPrompt prompt = new();
    private LineEditor? editor;

    /// <summary>Whether standard input and output are an interactive terminal that understands ANSI sequences.</summary>
    public static bool IsSupported() =>
        !Console.IsInputRedirected && !Console.IsOutputRedirected && LineEditor.IsSupported(AnsiConsole.Console);

    /// <inheritdoc />
    public async Task<string?> ReadLineAsync(string text, CancellationToken cancellation)
    {
        // One editor for the whole session: its history is what the up arrow walks through.
        editor ??= NewEditor();
        prompt.Text = text;
        try
        {
            return await editor.ReadLine(cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return null;
        }
    }

    // RadLine binds the plain arrows to moving between the lines of a multi-line entry and the history to Ctrl+arrows;
    // a one-line prompt has no lines to move between, so the arrows walk the history, as in a shell.
    private LineEditor NewEditor()
    {
        var made = new LineEditor(console, source) { Prompt = prompt, Completion = completion };
        made.KeyBindings.Remove(ConsoleKey.UpArrow);
        made.KeyBindings.Remove(ConsoleKey.DownArrow);
        made.KeyBindings.Add<PreviousHistoryCommand>(ConsoleKey.UpArrow);
        made.KeyBindings.Add<NextHistoryCommand>(ConsoleKey.DownArrow);
        return made;
    }

    /// <inheritdoc />
    public void Clear() => console.Clear(home: true);

    // The editor asks for its prompt on every redraw; the caller may change it between lines.
    private sealed class CurrentPrompt : ILineEditorPrompt
    {
        public string Text { get; set; } = "> ";

        public (Markup Markup, int Margin) GetPrompt(ILineEditorState state, int line) =>
            (new Markup(Markup.Escape(Text.TrimEnd())), Text.Length - Text.TrimEnd().Length);
    }
}
