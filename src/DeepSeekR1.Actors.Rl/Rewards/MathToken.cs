namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>The kinds of token the expression lexer produces.</summary>
internal enum MathTokenKind
{
    /// <summary>A decimal literal such as <c>12</c>, <c>0.5</c> or <c>1.5e3</c>.</summary>
    Number,

    /// <summary>A plain-letter name: a single-letter variable (maybe with a subscript) or a known word (sin, pi, ...).</summary>
    Name,

    /// <summary>A LaTeX command without its backslash (<c>frac</c>, <c>sqrt</c>, <c>pi</c>, ...).</summary>
    Command,

    /// <summary>One punctuation character: <c>+ - * / ^ ( ) { } [ ] | ! _</c>.</summary>
    Symbol,

    /// <summary>The end of the input.</summary>
    End,
}

/// <summary>One lexical token of a normalised answer.</summary>
/// <param name="Kind">What kind of token it is.</param>
/// <param name="Text">The literal, the name, the command name or the symbol.</param>
internal readonly record struct MathToken(MathTokenKind Kind, string Text)
{
    /// <summary>Whether this is the given symbol.</summary>
    public bool Is(char symbol) => Kind == MathTokenKind.Symbol && Text.Length == 1 && Text[0] == symbol;
}
