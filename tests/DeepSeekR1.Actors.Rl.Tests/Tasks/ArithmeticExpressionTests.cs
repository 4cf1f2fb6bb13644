using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Tests.Tasks;

public class ArithmeticExpressionTests
{
    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("10 - 4 - 3", "3")]
    [InlineData("10 - (4 - 3)", "9")]
    [InlineData("7 / 2", "7/2")]
    [InlineData("1 / 3 + 1 / 6", "1/2")]
    [InlineData("((((5))))", "5")]
    [InlineData("6 × 7 ÷ 2 − 1", "20")]
    [InlineData("999999999999 * 999999999999", "999999999998000000000001")]
    public void Evaluates_Exactly(string text, string expected)
    {
        Assert.True(ArithmeticExpression.TryRead(text, out Expr? expression, out string? error), error);
        Assert.Equal(expected, expression!.Evaluate()!.Value.ToString());
    }

    [Theory]
    // The verifier's parser reads the text; its reasons are the ones a math answer gets.
    [InlineData("", "empty expression")]
    [InlineData("1 +", "expression ends too early")]
    [InlineData("(1 + 2", "unbalanced '('")]
    [InlineData("1 + 2)", "unexpected ')'")]
    [InlineData("-3 + 5", "unary minus")]
    [InlineData("2 ^ 3", "unexpected '^'")]
    [InlineData("1.5 * 2", "whole numbers")]
    [InlineData("1234567890123", "longer than 12 digits")]
    [InlineData("x", "unexpected 'x'")]
    public void Rejects_WithAReason(string text, string reasonPart)
    {
        Assert.False(ArithmeticExpression.TryRead(text, out Expr? expression, out string? error));
        Assert.Null(expression);
        Assert.Contains(reasonPart, error);
    }

    [Fact]
    public void DeepNesting_AndLongInput_AreRejectedByLimits()
    {
        string deep = new string('(', 60) + "1" + new string(')', 60);
        Assert.False(ArithmeticExpression.TryRead(deep, out _, out string? depthError));
        Assert.Contains("nest", depthError);

        string huge = string.Concat(Enumerable.Repeat("1+", 100_000)) + "1";
        Assert.False(ArithmeticExpression.TryRead(huge, out _, out string? lengthError));
        Assert.Contains("longer than", lengthError);
    }

    [Fact]
    public void DivisionByZero_EvaluatesToNull()
    {
        Assert.True(ArithmeticExpression.TryRead("5 / (3 - 3)", out Expr? expression, out _));
        Assert.Null(expression!.Evaluate());
    }

    [Fact]
    public void Printing_RoundTripsThroughTheParser_WithMinimalParentheses()
    {
        Expr tree = new BinaryExpr('-', new NumberExpr(10), new BinaryExpr('-', new NumberExpr(4), new NumberExpr(3)));
        Assert.Equal("10 - (4 - 3)", tree.ToString());
        Expr sum = new BinaryExpr('+', new NumberExpr(1), new BinaryExpr('-', new NumberExpr(4), new NumberExpr(3)));
        Assert.Equal("1 + 4 - 3", sum.ToString());

        // Random trees: printing then parsing keeps the value.
        var random = new SeededRandom(17);
        for (int i = 0; i < 2000; i++)
        {
            Expr expression = RandomTree(random, random.Next(1, 7));
            Assert.True(ArithmeticExpression.TryRead(expression.ToString(), out Expr? parsed, out string? error), error);
            Assert.Equal(expression.Evaluate(), parsed!.Evaluate());
        }
    }

    [Fact]
    public void RandomGarbage_NeverThrows()
    {
        const string Alphabet = "0123456789+-*/() =x.,×÷\\{}";
        var random = new SeededRandom(23);
        for (int i = 0; i < 20_000; i++)
        {
            char[] text = new char[random.Next(0, 40)];
            for (int k = 0; k < text.Length; k++)
            {
                text[k] = Alphabet[random.Next(Alphabet.Length)];
            }

            if (ArithmeticExpression.TryRead(new string(text), out Expr? expression, out _))
            {
                _ = expression!.Evaluate();
            }
        }
    }

    private static Expr RandomTree(SeededRandom random, int leaves)
    {
        if (leaves == 1)
        {
            return new NumberExpr(random.Next(1, 20));
        }

        int left = random.Next(1, leaves);
        return new BinaryExpr("+-*/"[random.Next(4)], RandomTree(random, left), RandomTree(random, leaves - left));
    }
}
