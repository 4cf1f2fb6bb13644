namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Reads relations into a canonical form. A bound or a two-sided bound on one variable is the interval it denotes
/// (<c>x &gt;= 5</c> is <c>[5, \infty)</c>, <c>-2 &lt;= x &lt; 7</c> and <c>7 &gt; x &gt;= -2</c> are <c>[-2, 7)</c>), so it
/// compares with an interval answer and with every other way of writing it; <c>x \in [a, b]</c> is that interval. Another
/// inequality that is linear in one variable is solved into its interval (<see cref="LinearInequalities"/>). Any
/// other relation is kept as its terms and operators, with <c>&gt;</c> chains turned into <c>&lt;</c> chains.
/// </summary>
internal static class RelationAnswers
{
    /// <summary>The relation in <paramref name="split"/>, or null when the text holds no relation operator.</summary>
    public static ParsedAnswer? TryParse(string text, (List<string> Terms, List<string> Ops) split)
    {
        var (terms, ops) = split;
        if (ops.Count == 0)
        {
            // "x \in [-2, 7]": the set the variable is in.
            int at = text.IndexOf("\\in", StringComparison.Ordinal);
            if (at > 0 && AnswerParser.IsVariable(text[..at]) && text[(at + 3)..].TrimStart() is { Length: > 0 } set && set[0] is '(' or '[' or '{')
                return AnswerParser.Parse(set);
            return null;
        }
        if (terms.Any(t => t.Trim().Length == 0)) throw new AnswerRejectedException("a relation with an empty side");

        // Written with > (or >=): read it right to left, as the same chain with <.
        if (ops.All(o => o is ">" or ">="))
        {
            terms.Reverse();
            ops = ops.Select(o => o == ">" ? "<" : "<=").Reverse().ToList();
        }
        var expressions = terms.Select(t => MathParser.Parse(AnswerDecorations.Strip(t, out _))).ToList();

        if (ops.All(o => o is "<" or "<="))
        {
            int variable = terms.FindIndex(AnswerParser.IsVariable);
            bool constantsElsewhere = Enumerable.Range(0, terms.Count).Where(i => i != variable).All(i => !HasVariables(expressions[i]));
            if (variable >= 0 && constantsElsewhere && terms.Count is 2 or 3 && (terms.Count == 2 || variable == 1))
            {
                // lower (op) x (op) upper, with a missing side unbounded.
                var infinity = new ConstantNode(ConstantNode.Infinity);
                bool hasLower = variable > 0, hasUpper = variable < terms.Count - 1;
                var lower = hasLower ? expressions[0] : new NegateNode(infinity);
                var upper = hasUpper ? expressions[^1] : infinity;
                char open = hasLower && ops[0] == "<=" ? '[' : '(';
                char close = hasUpper && ops[^1] == "<=" ? ']' : ')';
                return new ListAnswer(open, close, [new ScalarAnswer(lower, false), new ScalarAnswer(upper, false)], VariableName(terms[variable]));
            }
        }
        // 2x <= 6, -x > -1, -1 < 2x + 1 < 5: solved for the variable when linear in it.
        return LinearInequalities.TrySolve(expressions, ops) is { } solved ? solved : new RelationAnswer(expressions, ops);
    }

    // x_{1} and x_1 are one name.
    private static string VariableName(string term) => term.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);

    private static bool HasVariables(MathExpression expression)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        MathEvaluator.CollectVariables(expression, names);
        return names.Count > 0;
    }
}
