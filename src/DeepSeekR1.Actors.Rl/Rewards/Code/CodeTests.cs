namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>One test of a code task: <c>assert CALL == EXPECTED</c>, split so the two halves can be kept apart.</summary>
/// <param name="Call">The expression the program is asked to evaluate (<c>add(1, 2)</c>).</param>
/// <param name="Expected">A Python literal the result must equal (<c>3</c>, <c>[1, 2]</c>, <c>'abc'</c>).</param>
public sealed record CodeTest(string Call, string Expected);

/// <summary>
/// A code task's tests as its gold answer holds them: one <c>assert CALL == EXPECTED</c> per line (MBPP's form), where
/// EXPECTED is a Python literal. The harness gives the program the calls only and compares the results itself, so
/// a program never sees the expected values and cannot fake an equality (an object whose <c>__eq__</c> is always true).
/// </summary>
public static class CodeTests
{
    /// <summary>The tests in <paramref name="gold"/>.</summary>
    /// <exception cref="FormatException">A line is not <c>assert CALL == EXPECTED</c> with one top-level <c>==</c>; the message names the line.</exception>
    public static IReadOnlyList<CodeTest> Parse(string gold)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var tests = new List<CodeTest>();
        var lines = gold.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].Trim();
            if (line.Length == 0) continue;
            if (!line.StartsWith("assert ", StringComparison.Ordinal))
                throw new FormatException($"test {n + 1} does not start with 'assert ': {line}");
            string body = line["assert ".Length..];
            var equals = TopLevelEquals(body);
            if (equals.Count != 1)
                throw new FormatException($"test {n + 1} must compare with exactly one top-level '==' (found {equals.Count}): {line}");
            string call = body[..equals[0]].Trim(), expected = body[(equals[0] + 2)..].Trim();
            if (call.Length == 0 || expected.Length == 0)
                throw new FormatException($"test {n + 1} has an empty side: {line}");
            tests.Add(new CodeTest(call, expected));
        }
        if (tests.Count == 0) throw new FormatException("no tests (one 'assert CALL == EXPECTED' per line)");
        return tests;
    }

    // Positions of '==' outside brackets and string literals ('...', "...", with backslash escapes).
    private static List<int> TopLevelEquals(string text)
    {
        var found = new List<int>();
        int depth = 0;
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                if (c == '\\') i++;
                else if (c == quote) quote = '\0';
                continue;
            }
            switch (c)
            {
                case '\'' or '"': quote = c; break;
                case '(' or '[' or '{': depth++; break;
                case ')' or ']' or '}': depth--; break;
                case '=' when depth == 0 && i + 1 < text.Length && text[i + 1] == '='
                    && (i == 0 || text[i - 1] is not ('!' or '<' or '>' or '=')):
                    found.Add(i);
                    i++;
                    break;
            }
        }
        return found;
    }
}
