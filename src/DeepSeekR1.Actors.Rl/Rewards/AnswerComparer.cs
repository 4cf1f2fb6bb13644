using DeepSeekR1.Actors.Rl.Numerics;
using System.Globalization;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>The outcome of comparing two parsed answers, with a short explanation.</summary>
/// <param name="Equal">Whether they are equivalent.</param>
/// <param name="Detail">Why (for example <c>exactly 3/4</c> or <c>tuple sizes differ (2 vs 3)</c>).</param>
internal readonly record struct Verdict(bool Equal, string Detail);

/// <summary>Compares parsed answers structurally, then value by value (see <see cref="MathAnswer"/> for the policies).</summary>
internal sealed class AnswerComparer(MathEvaluator evaluator, double relativeTolerance, int samplePoints)
{
    /// <summary>Compares <paramref name="predicted"/> with <paramref name="gold"/>.</summary>
    public Verdict Compare(ParsedAnswer predicted, ParsedAnswer gold) => (predicted, gold) switch
    {
        (ScalarAnswer p, ScalarAnswer g) => CompareScalars(p, g),
        (EquationAnswer p, EquationAnswer g) => CompareEquations(p, g),
        // "y = 2x + 1" against an equation gold: the equation it came from.
        (ScalarAnswer { NamedBy: { } name } p, EquationAnswer g) => CompareEquations(AsEquation(name, p), g),
        (EquationAnswer p, ScalarAnswer { NamedBy: { } name } g) => CompareEquations(p, AsEquation(name, g)),
        (ListAnswer p, ListAnswer g) => CompareLists(p, g),
        (RelationAnswer p, RelationAnswer g) => CompareRelations(p, g),
        (RatioAnswer p, RatioAnswer g) => CompareRatios(p, g),
        (UnionAnswer p, UnionAnswer g) => CompareUnions(p, g),
        (MatrixAnswer p, MatrixAnswer g) => CompareMatrices(p, g),
        // A column vector gold is the tuple of its coordinates: (1, 2) answers \begin{pmatrix}1\\2\end{pmatrix}. Not the other
        // way round: a gold (1, 2) may be an open interval, which no vector answers.
        (ListAnswer { Shape: "tuple" } p, MatrixAnswer { Columns: 1, Rows: >= 2 } g) => CompareMatrices(AsColumn(p), g),
        _ => new Verdict(false, $"{Describe(predicted)} vs {Describe(gold)}"),
    };

    private static string Describe(ParsedAnswer answer) => answer switch
    {
        ScalarAnswer => "a single value",
        EquationAnswer => "an equation",
        RelationAnswer => "a relation",
        RatioAnswer => "a ratio",
        UnionAnswer union => $"a union of {union.Parts.Count}",
        MatrixAnswer matrix => $"a {matrix.Rows}x{matrix.Columns} matrix",
        ListAnswer list => $"a {list.Shape}",
        _ => "an answer",
    };

    private Verdict CompareScalars(ScalarAnswer predicted, ScalarAnswer gold)
    {
        var first = CompareExpressions(predicted.Expression, gold.Expression);
        if (!first.Equal && !predicted.IsPercent && !gold.IsPercent && RoundedDecimals.Matches(predicted, gold, evaluator) is { } rounded)
            return rounded;
        if (first.Equal || predicted.IsPercent == gold.IsPercent)
            return first;
        // Exactly one side carries %: it may be meant as the number itself or as a fraction of 100.
        var hundred = new NumberNode(Rational.FromInteger(100));
        var scaled = predicted.IsPercent
            ? CompareExpressions(new BinaryNode('/', predicted.Expression, hundred), gold.Expression)
            : CompareExpressions(predicted.Expression, new BinaryNode('/', gold.Expression, hundred));
        return scaled.Equal ? scaled with { Detail = scaled.Detail + " (as a percentage)" } : first;
    }

    private Verdict CompareEquations(EquationAnswer predicted, EquationAnswer gold)
    {
        var same = CompareExpressions(predicted.Difference, gold.Difference);
        if (same.Equal)
            return same with { Detail = "same equation" };
        var flipped = CompareExpressions(new NegateNode(predicted.Difference), gold.Difference);
        if (flipped.Equal) return flipped with { Detail = "same equation (sides swapped)" };
        // 2x + 4y - 3 = 0 and y = -x/2 + 3/4: the same equation scaled by a non-zero constant (here 4).
        return Proportional(predicted.Difference, gold.Difference) is { } factor
            ? new Verdict(true, $"same equation (scaled by {Format(factor)})")
            : new Verdict(false, "different equations");
    }

    private static EquationAnswer AsEquation(string name, ScalarAnswer value) =>
        new(new BinaryNode('-', new VariableNode(name), value.Expression));

    // The constant c with p = c * g at every sample point where both are defined and g is not ~0; null when there is
    // none (or c is ~0, or too few points decide).
    private double? Proportional(MathExpression p, MathExpression g)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        MathEvaluator.CollectVariables(p, names);
        MathEvaluator.CollectVariables(g, names);
        if (names.Count == 0) return null;
        var random = new SplitMix64(0x5EED_FAC7_0001UL);
        double? factor = null;
        int decided = 0;
        for (var point = 0; point < 2 * samplePoints; point++)
        {
            var values = names.ToDictionary(n => n, _ => -3.0 + 6.0 * random.NextDouble(), StringComparer.Ordinal);
            double pv = evaluator.Evaluate(p, values), gv = evaluator.Evaluate(g, values);
            if (!double.IsFinite(pv) || !double.IsFinite(gv) || Math.Abs(gv) < 1e-9) continue;
            double ratio = pv / gv;
            factor ??= ratio;
            if (!WithinTolerance(ratio, factor.Value)) return null;
            decided++;
        }
        return decided >= 3 && factor is { } f && Math.Abs(f) > 1e-9 ? f : null;
    }

    // Same operators and the same terms, in order (a > chain was already turned into a < chain by the parser).
    private Verdict CompareRelations(RelationAnswer predicted, RelationAnswer gold)
    {
        if (!predicted.Ops.SequenceEqual(gold.Ops))
            return new Verdict(false, $"relations differ ({string.Join(" ", predicted.Ops)} vs {string.Join(" ", gold.Ops)})");
        for (var i = 0; i < gold.Terms.Count; i++)
        {
            var term = CompareExpressions(predicted.Terms[i], gold.Terms[i]);
            if (!term.Equal) return new Verdict(false, $"relation term {i + 1}: {term.Detail}");
        }
        return new Verdict(true, "same relation");
    }

    // The same parts in any order, each part matched once (sizes are small and bounded).
    private Verdict CompareUnions(UnionAnswer predicted, UnionAnswer gold)
    {
        if (predicted.Parts.Count != gold.Parts.Count)
            return new Verdict(false, $"unions of {predicted.Parts.Count} vs {gold.Parts.Count} parts");
        var used = new bool[predicted.Parts.Count];
        foreach (var goldPart in gold.Parts)
        {
            var match = Enumerable.Range(0, predicted.Parts.Count).FirstOrDefault(j => !used[j] && Compare(predicted.Parts[j], goldPart).Equal, -1);
            if (match < 0)
                return new Verdict(false, "a part of the union is missing from the answer");
            used[match] = true;
        }
        return new Verdict(true, "same union of parts");
    }

    // Term by term, as written: 22:42 is not 11:21 (a colon can be a time or a score, see RatioAnswers).
    private Verdict CompareRatios(RatioAnswer predicted, RatioAnswer gold)
    {
        if (predicted.Terms.Count != gold.Terms.Count)
            return new Verdict(false, $"ratio terms differ in number ({predicted.Terms.Count} vs {gold.Terms.Count})");
        for (var i = 0; i < gold.Terms.Count; i++)
        {
            var term = CompareExpressions(predicted.Terms[i], gold.Terms[i]);
            if (!term.Equal) return new Verdict(false, $"ratio term {i + 1}: {term.Detail}");
        }
        return new Verdict(true, "same ratio, term by term");
    }

    // Same shape, every entry equal; the kind of bracket was already dropped by the normaliser.
    private Verdict CompareMatrices(MatrixAnswer predicted, MatrixAnswer gold)
    {
        if (predicted.Rows != gold.Rows || predicted.Columns != gold.Columns)
            return new Verdict(false, $"matrix shapes differ ({predicted.Rows}x{predicted.Columns} vs {gold.Rows}x{gold.Columns})");
        for (var i = 0; i < gold.Entries.Count; i++)
        {
            var entry = CompareExpressions(predicted.Entries[i], gold.Entries[i]);
            if (!entry.Equal)
                return new Verdict(false, $"matrix entry ({i / gold.Columns + 1},{i % gold.Columns + 1}): {entry.Detail}");
        }
        return new Verdict(true, $"{gold.Rows}x{gold.Columns} matrix entries all equal");
    }

    // A tuple of plain values as a column; a member that is itself a list or relation makes a column no vector equals.
    private static MatrixAnswer AsColumn(ListAnswer tuple) =>
        tuple.Items.All(item => item is ScalarAnswer { IsPercent: false })
            ? new MatrixAnswer(tuple.Items.Count, 1, tuple.Items.Select(item => ((ScalarAnswer)item).Expression).ToList())
            : new MatrixAnswer(tuple.Items.Count, 0, []);

    private Verdict CompareLists(ListAnswer predicted, ListAnswer gold)
    {
        // A bare list of solutions and a set are the same kind of answer; otherwise the brackets must match.
        var shapesAgree = predicted.IsUnordered && gold.IsUnordered
            || (predicted.Open == gold.Open && predicted.Close == gold.Close);
        if (!shapesAgree)
            return new Verdict(false, $"{predicted.Shape} {predicted.Open}{predicted.Close} vs {gold.Shape} {gold.Open}{gold.Close}");
        // y < 1 is not an answer for x < 1; an interval written as one, (-\infty, 1), names no variable and answers both.
        if (predicted.Variable is { } pv && gold.Variable is { } gv && pv != gv)
            return new Verdict(false, $"bounds on different variables ({pv} vs {gv})");
        if (predicted.Items.Count != gold.Items.Count)
            return new Verdict(false, $"{gold.Shape} sizes differ ({predicted.Items.Count} vs {gold.Items.Count})");

        if (!gold.IsUnordered)
        {
            for (var i = 0; i < gold.Items.Count; i++)
            {
                var item = Compare(predicted.Items[i], gold.Items[i]);
                if (!item.Equal)
                    return new Verdict(false, $"{gold.Shape} item {i + 1}: {item.Detail}");
            }
            return new Verdict(true, $"{gold.Shape} items all equal");
        }

        // Order-insensitive: match every gold member to a distinct predicted member (sizes are small and bounded).
        var used = new bool[predicted.Items.Count];
        foreach (var goldItem in gold.Items)
        {
            var found = false;
            for (var j = 0; j < predicted.Items.Count && !found; j++)
            {
                if (!used[j] && Compare(predicted.Items[j], goldItem).Equal)
                    used[j] = found = true;
            }
            if (!found)
                return new Verdict(false, $"{gold.Shape} member missing from the answer");
        }
        return new Verdict(true, $"{gold.Shape} members all equal");
    }

    private Verdict CompareExpressions(MathExpression predicted, MathExpression gold)
    {
        var exactPredicted = evaluator.TryExact(predicted);
        var exactGold = exactPredicted is null ? null : evaluator.TryExact(gold);
        if (exactPredicted is { } p && exactGold is { } g)
            return p == g ? new Verdict(true, $"exactly {g}") : new Verdict(false, $"{p} vs {g}");

        var names = new SortedSet<string>(StringComparer.Ordinal);
        MathEvaluator.CollectVariables(predicted, names);
        MathEvaluator.CollectVariables(gold, names);
        if (names.Count == 0)
            return CompareValues(
                evaluator.Evaluate(predicted, EmptyVariables),
                evaluator.Evaluate(gold, EmptyVariables),
                MathEvaluator.MentionsInfinity(predicted) && MathEvaluator.MentionsInfinity(gold));
        return CompareAtSamplePoints(predicted, gold, names);
    }

    private static readonly Dictionary<string, double> EmptyVariables = new();

    private Verdict CompareValues(double predicted, double gold, bool bothMeanInfinity)
    {
        if (double.IsNaN(predicted) || double.IsNaN(gold))
            return new Verdict(false, "value undefined");
        if (double.IsInfinity(predicted) || double.IsInfinity(gold))
        {
            // An infinity counts only where both answers write \infty; otherwise it is an overflow (2^2^2^...).
            return bothMeanInfinity && predicted == gold
                ? new Verdict(true, "same infinity")
                : new Verdict(false, "value is not finite");
        }
        return WithinTolerance(predicted, gold)
            ? new Verdict(true, $"numerically {Format(gold)}")
            : new Verdict(false, $"{Format(predicted)} vs {Format(gold)}");
    }

    /// <summary>
    /// Evaluates both expressions at deterministic pseudo-random points over [-3, 3], negatives and zero included (on
    /// positives only, <c>\sqrt{x^2}</c> would equal <c>x</c>): every other point is negative, the first is 0 for every
    /// variable. A point where both sides are defined and differ decides; a point where only one side is defined is
    /// outside the other's domain and is skipped (<c>(\sqrt{x})^2</c> is <c>x</c> wherever both exist). Equal needs at
    /// least <see cref="MinComparedPoints"/> points where both are defined.
    /// </summary>
    private Verdict CompareAtSamplePoints(MathExpression predicted, MathExpression gold, SortedSet<string> names)
    {
        // The sampler's generator, so sample points never depend on the runtime's Random.
        var random = new SplitMix64(0x5EED_1234_ABCDUL);
        var compared = 0;
        for (var point = 0; point < 2 * samplePoints; point++)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var name in names)
                values[name] = point == 0 ? 0 : (point % 2 == 0 ? -1 : 1) * (0.25 + 2.75 * random.NextDouble());
            var p = evaluator.Evaluate(predicted, values);
            var g = evaluator.Evaluate(gold, values);
            if (!double.IsFinite(p) || !double.IsFinite(g))
                continue;
            if (!WithinTolerance(p, g))
                return new Verdict(false, $"differ at {string.Join(", ", values.Select(v => $"{v.Key}={Format(v.Value)}"))}");
            compared++;
        }
        return compared >= MinComparedPoints
            ? new Verdict(true, $"agree at {compared} sample points in {string.Join(", ", names)}")
            : new Verdict(false, compared == 0 ? "undefined at every sample point" : $"defined together at only {compared} sample points");
    }

    /// <summary>Sample points where both sides must be defined (and agree) before two expressions count as equal.</summary>
    public const int MinComparedPoints = 4;

    private bool WithinTolerance(double a, double b)
    {
        var difference = Math.Abs(a - b);
        return difference <= relativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b)) || difference <= 1e-12;
    }

    private static string Format(double value) => value.ToString("G10", CultureInfo.InvariantCulture);
}
