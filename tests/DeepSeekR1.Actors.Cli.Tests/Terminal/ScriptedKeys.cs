using RadLine;

namespace DeepSeekR1.Actors.Cli.Tests.Terminal;

/// <summary>Keys a test types into a line editor, in order.</summary>
public sealed class ScriptedKeys : IInputSource
{
    private readonly Queue<ConsoleKeyInfo> keys = new();

    /// <summary>The editor takes the keys as they are (no terminal escape processing).</summary>
    public bool ByPassProcessing => true;

    /// <summary>Types each character of <paramref name="text"/>.</summary>
    public ScriptedKeys Type(string text)
    {
        foreach (char c in text)
        {
            var key = c switch
            {
                ' ' => ConsoleKey.Spacebar,
                '-' => ConsoleKey.OemMinus,
                >= 'a' and <= 'z' => ConsoleKey.A + (c - 'a'),
                >= '0' and <= '9' => ConsoleKey.D0 + (c - '0'),
                _ => ConsoleKey.NoName,
            };
            keys.Enqueue(new ConsoleKeyInfo(c, key, false, false, false));
        }
        return this;
    }

    /// <summary>Presses a key that types no character (Tab, Enter, the arrows).</summary>
    public ScriptedKeys Press(ConsoleKey key)
    {
        keys.Enqueue(new ConsoleKeyInfo(key == ConsoleKey.Tab ? '\t' : key == ConsoleKey.Enter ? '\r' : '\0', key, false, false, false));
        return this;
    }

    /// <inheritdoc />
    public bool IsKeyAvailable() => keys.Count > 0;

    /// <inheritdoc />
    public ConsoleKeyInfo ReadKey() => keys.Count > 0 ? keys.Dequeue() : throw new InvalidOperationException("the test typed no more keys");
}
