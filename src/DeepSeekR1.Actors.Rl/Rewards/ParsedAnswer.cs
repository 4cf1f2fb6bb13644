namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>The structure of a parsed final answer.</summary>
internal abstract record ParsedAnswer;

/// <summary>One value or expression.</summary>
/// <param name="Expression">The parsed value.</param>
/// <param name="IsPercent">Whether it was written with <c>%</c> or the word percent.</param>
/// <param name="NamedBy">The variable it was given for (<c>y</c> in <c>y = 2x + 1</c>), or null.</param>
/// <param name="Literal">The plain number as written (<c>0.0833</c>, <c>-3.143</c>) when the answer is one, or null: the
/// digits it shows decide whether it is a correctly rounded value (see <see cref="RoundedDecimals"/>).</param>
internal sealed record ScalarAnswer(MathExpression Expression, bool IsPercent, string? NamedBy = null, string? Literal = null) : ParsedAnswer;

/// <summary>An equation that is not just <c>variable = value</c>, kept as left side minus right side.</summary>
/// <param name="Difference">Left-hand side minus right-hand side.</param>
internal sealed record EquationAnswer(MathExpression Difference) : ParsedAnswer;

/// <summary>
/// Several values: a tuple <c>(1,2)</c>, a set <c>{1,2}</c>, an interval <c>[1,3)</c> or a bare list <c>1, 2</c>.
/// </summary>
/// <param name="Open">The opening bracket, or <c>'\0'</c> for a bare list.</param>
/// <param name="Close">The closing bracket, or <c>'\0'</c> for a bare list.</param>
/// <param name="Items">The members, in written order.</param>
/// <param name="Variable">For an interval read from a bound (<c>x &lt; 1</c>), the variable it bounds; null otherwise.</param>
internal sealed record ListAnswer(char Open, char Close, IReadOnlyList<ParsedAnswer> Items, string? Variable = null) : ParsedAnswer
{
    /// <summary>Sets and bare lists (several solutions) compare without regard to order; tuples and intervals in order.</summary>
    public bool IsUnordered => Open is '{' or '\0';

    /// <summary>How the list is written, for reasons: <c>set</c>, <c>list</c>, <c>tuple</c> or <c>interval</c>.</summary>
    public string Shape => Open switch
    {
        '{' => "set",
        '\0' => "list",
        '(' when Close == ')' => "tuple",
        _ => "interval",
    };
}

/// <summary>
/// A relation that is not an interval of one variable: <c>x != 3</c>, <c>x + y &lt; 2</c>, a chain such as
/// <c>a &lt; b &lt; c</c>. <see cref="Ops"/> holds one operator (<c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>!=</c>)
/// between each pair of <see cref="Terms"/>.
/// </summary>
internal sealed record RelationAnswer(IReadOnlyList<MathExpression> Terms, IReadOnlyList<string> Ops) : ParsedAnswer;

/// <summary>A ratio <c>a : b</c> (two or more terms), compared term by term in order (see <see cref="RatioAnswers"/>).</summary>
internal sealed record RatioAnswer(IReadOnlyList<MathExpression> Terms) : ParsedAnswer;

/// <summary>A matrix (or vector) of <paramref name="Rows"/> by <paramref name="Columns"/> entries, row by row (see <see cref="MatrixAnswers"/>).</summary>
internal sealed record MatrixAnswer(int Rows, int Columns, IReadOnlyList<MathExpression> Entries) : ParsedAnswer;

/// <summary>A union of intervals or sets, compared as an unordered collection of its parts (see <see cref="UnionAnswers"/>).</summary>
internal sealed record UnionAnswer(IReadOnlyList<ParsedAnswer> Parts) : ParsedAnswer;
