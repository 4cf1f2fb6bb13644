using DeepSeekR1.Actors.Rl.Numerics;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>A node of a parsed mathematical expression (the verifier's own small AST).</summary>
internal abstract record MathExpression;

/// <summary>A number literal, kept exact.</summary>
internal sealed record NumberNode(Rational Value) : MathExpression;

/// <summary>A named constant: <c>pi</c>, <c>e</c> or <c>infinity</c>.</summary>
internal sealed record ConstantNode(string Name) : MathExpression
{
    public const string Pi = "pi";
    public const string E = "e";
    public const string Infinity = "infinity";
}

/// <summary>A free variable such as <c>x</c> or <c>x_1</c>.</summary>
internal sealed record VariableNode(string Name) : MathExpression;

/// <summary>Unary minus.</summary>
internal sealed record NegateNode(MathExpression Operand) : MathExpression;

/// <summary>A binary operation: one of <c>+ - * / ^</c>.</summary>
internal sealed record BinaryNode(char Operator, MathExpression Left, MathExpression Right) : MathExpression;

/// <summary>A function of one argument: sqrt, sin, cos, tan, sec, csc, cot, ln, exp, abs or fact (factorial).</summary>
internal sealed record FunctionNode(string Name, MathExpression Argument) : MathExpression;
